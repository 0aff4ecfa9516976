#include "convert/description_checks.h"

#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "media/base/media_constants.h"
#include "media/base/stream_params.h"
#include "pc/media_protocol_names.h"
#include "pc/session_description.h"
#include "rtc_base/message_digest.h"
#include "rtc_base/ssl_fingerprint.h"

namespace nlw {

namespace {

ErrorValue SyntaxError(std::string message) {
  ErrorValue e = ErrorValue::Named("OPERATION_ERROR_WITH_DATA", "Failed to parse SessionDescription. " + message);
  e.detail = "SDP_SYNTAX_ERROR";
  return e;
}

ErrorValue InvalidParameter(std::string message) {
  return ErrorValue::Named("INVALID_PARAMETER", "Failed to set remote description: " + message);
}

// What the DTLS transport accepts as a peer certificate digest: a known hash, of its size.
bool UsableFingerprint(const rtc::SSLFingerprint& fp) {
  std::unique_ptr<rtc::MessageDigest> digest(rtc::MessageDigestFactory::Create(fp.algorithm));
  return digest != nullptr && digest->Size() == fp.digest.size();
}

bool ValidPayloadType(int pt) { return pt >= 0 && pt <= 127; }

// The media engine's checks on the codecs and header extensions it is told to send with.
std::optional<std::string> MediaProblem(const cricket::MediaContentDescription& media) {
  // An audio receive stream has one SSRC. Under a=msid every a=ssrc line of a section joins the
  // one stream the section describes, so an extra SSRC line gives a stream the voice engine
  // refuses; libwebrtc finds out only after it has applied the description (state changed,
  // remote description set, the error reported anyway).
  if (media.type() == cricket::MEDIA_TYPE_AUDIO) {
    for (const cricket::StreamParams& sp : media.streams()) {
      if (sp.ssrcs.size() > 1)
        return "an audio stream has " + std::to_string(sp.ssrcs.size()) + " SSRCs (Failed to add remote stream ssrc: " +
               std::to_string(sp.first_ssrc()) + ")";
    }
  }
  // A video receive stream's RTX SSRCs (a=ssrc-group:FID) must be SSRCs of the stream, one per
  // primary SSRC; the video engine refuses the stream otherwise, again after the description has
  // been applied (an a=ssrc line deleted from a real answer was enough).
  if (media.type() == cricket::MEDIA_TYPE_VIDEO) {
    for (const cricket::StreamParams& sp : media.streams()) {
      if (!sp.has_ssrcs()) continue;
      std::vector<uint32_t> primary, rtx;
      sp.GetPrimarySsrcs(&primary);
      sp.GetFidSsrcs(primary, &rtx);
      for (uint32_t ssrc : rtx) {
        if (!sp.has_ssrc(ssrc))
          return "the RTX SSRC " + std::to_string(ssrc) + " is not an SSRC of its stream (Failed to add remote stream ssrc: " +
                 std::to_string(sp.first_ssrc()) + ")";
      }
      if (!rtx.empty() && rtx.size() != primary.size())
        return "RTX SSRCs do not cover every SSRC of a stream (Failed to add remote stream ssrc: " +
               std::to_string(sp.first_ssrc()) + ")";
    }
  }
  // Opus sends 20, 40, 60 or 120 ms frames (M108); fmtp minptime/maxptime that leave none of
  // them give a send stream without bitrate constraints, and starting it trips a live DCHECK
  // (audio_send_stream.cc "constraints.has_value()"): one fmtp line in a remote offer or answer
  // aborted the process.
  if (const cricket::AudioContentDescription* audio = media.as_audio()) {
    for (const cricket::AudioCodec& codec : audio->codecs()) {
      if (!absl::EqualsIgnoreCase(codec.name, cricket::kOpusCodecName)) continue;
      int min_ptime = 0, max_ptime = std::numeric_limits<int>::max();
      codec.GetParam(cricket::kCodecParamMinPTime, &min_ptime);
      codec.GetParam(cricket::kCodecParamMaxPTime, &max_ptime);
      bool any = false;
      for (int ms : {20, 40, 60, 120}) any = any || (ms >= min_ptime && ms <= max_ptime);
      if (!any)
        return "Opus payload type " + std::to_string(codec.id) + " has minptime=" + std::to_string(min_ptime) +
               (max_ptime == std::numeric_limits<int>::max() ? std::string() : ";maxptime=" + std::to_string(max_ptime)) +
               ", which allows no Opus frame length (20, 40, 60 or 120 ms)";
    }
  }
  std::set<int> ids;
  for (const webrtc::RtpExtension& ext : media.rtp_header_extensions()) {
    if (ext.id < webrtc::RtpExtension::kMinId || ext.id > webrtc::RtpExtension::kMaxId)
      return "header extension id " + std::to_string(ext.id) + " is out of range";
    if (!ids.insert(ext.id).second) return "header extension id " + std::to_string(ext.id) + " is used twice";
  }
  const cricket::VideoContentDescription* video = media.as_video();
  if (video == nullptr) return std::nullopt;
  std::map<int, cricket::VideoCodec::CodecType> types;
  bool has_video = false;
  for (const cricket::VideoCodec& codec : video->codecs()) {
    if (!ValidPayloadType(codec.id)) return "payload type " + std::to_string(codec.id) + " is out of range";
    if (!types.emplace(codec.id, codec.GetCodecType()).second)
      return "payload type " + std::to_string(codec.id) + " is used twice";
    if (codec.GetCodecType() != cricket::VideoCodec::CODEC_VIDEO) continue;
    has_video = true;
    // The video engine takes x-google-{min,start,max}-bitrate as kbps and multiplies by 1000 in
    // an int: above INT_MAX / 1000 that wraps negative, and a negative minimum or a maximum of 0
    // or below (after the wrap) trips a live DCHECK that aborts the process (BitrateConstraints,
    // VideoSendStreamImpl: "initial_encoder_max_bitrate != 0"). A remote answer could do it.
    for (const char* name : {cricket::kCodecParamMinBitrate, cricket::kCodecParamStartBitrate, cricket::kCodecParamMaxBitrate}) {
      int kbps = 0;
      if (codec.GetParam(name, &kbps) && kbps > std::numeric_limits<int>::max() / 1000)
        return "codec " + std::to_string(codec.id) + " has " + name + "=" + std::to_string(kbps) + " (kbps), out of range";
    }
    int zero_max = -1;
    if (codec.GetParam(cricket::kCodecParamMaxBitrate, &zero_max) && zero_max == 0)
      return "codec " + std::to_string(codec.id) + " has a maximum bitrate of 0";
    int min_bitrate = -1, max_bitrate = -1;
    if (codec.GetParam(cricket::kCodecParamMinBitrate, &min_bitrate) &&
        codec.GetParam(cricket::kCodecParamMaxBitrate, &max_bitrate) && max_bitrate < min_bitrate)
      return "codec " + std::to_string(codec.id) + " has a maximum bitrate below its minimum";
  }
  if (!has_video) return "there is no video codec";
  for (const cricket::VideoCodec& codec : video->codecs()) {
    if (codec.GetCodecType() != cricket::VideoCodec::CODEC_RTX) continue;
    int apt = -1;
    if (!codec.GetParam(cricket::kCodecParamAssociatedPayloadType, &apt) || !ValidPayloadType(apt))
      return "RTX payload type " + std::to_string(codec.id) + " has no valid apt";
    auto it = types.find(apt);
    if (it == types.end() ||
        (it->second != cricket::VideoCodec::CODEC_VIDEO && it->second != cricket::VideoCodec::CODEC_RED))
      return "RTX payload type " + std::to_string(codec.id) + " is not associated with a video codec";
  }
  return std::nullopt;
}

constexpr size_t kMaxHostName = 253;

}  // namespace

std::optional<std::string> CheckRemoteCandidate(const cricket::Candidate& c) {
  if (c.address().hostname().size() > kMaxHostName || c.related_address().hostname().size() > kMaxHostName)
    return "a candidate address is longer than a host name can be";
  return std::nullopt;
}

std::optional<ErrorValue> CheckRemoteDescription(const webrtc::SessionDescriptionInterface& d) {
  const cricket::SessionDescription* desc = d.description();
  if (desc == nullptr) return std::nullopt;
  const bool answer = d.GetType() == webrtc::SdpType::kAnswer || d.GetType() == webrtc::SdpType::kPrAnswer;

  // (An unknown media type over SCTP, which SdpSerialize dereferences as null, is refused earlier,
  // by ParseDescription for local and remote descriptions alike.)
  for (const cricket::ContentInfo& content : desc->contents()) {
    if (content.media_description() == nullptr)
      return SyntaxError("m= section '" + content.name + "' has no description");
  }

  for (size_t i = 0; i < desc->contents().size(); ++i) {
    const webrtc::IceCandidateCollection* candidates = d.candidates(i);
    for (size_t k = 0; candidates != nullptr && k < candidates->count(); ++k) {
      if (auto problem = CheckRemoteCandidate(candidates->at(k)->candidate())) return SyntaxError(*problem);
    }
  }

  // BUNDLE groups must name existing m= sections, each at most once.
  std::set<std::string> bundled;
  for (const cricket::ContentGroup* group : desc->GetGroupsByName(cricket::GROUP_TYPE_BUNDLE)) {
    for (const std::string& mid : group->content_names()) {
      if (!bundled.insert(mid).second)
        return InvalidParameter("A BUNDLE group contains a MID='" + mid + "' that is already in a BUNDLE group.");
      if (desc->GetContentByName(mid) == nullptr)
        return InvalidParameter("A BUNDLE group contains a MID='" + mid + "' matching no m= section.");
    }
  }

  // Every section that is not rejected: until BUNDLE is negotiated each one gets a transport.
  for (const cricket::ContentInfo& content : desc->contents()) {
    if (content.rejected) continue;
    // DTLS is always on: SDES keys make the transport refuse the section.
    if (!content.media_description()->cryptos().empty())
      return InvalidParameter("SDES and DTLS-SRTP cannot be enabled at the same time.");
    if (auto problem = MediaProblem(*content.media_description()))
      return InvalidParameter("m= section with mid='" + content.name + "': " + *problem + ".");
    const cricket::TransportInfo* transport = desc->GetTransportInfoByName(content.name);
    if (transport == nullptr) continue;
    webrtc::RTCError ice = transport->description.GetIceParameters().Validate();
    if (!ice.ok())
      return InvalidParameter("Invalid ICE parameters for m= section with mid='" + content.name + "': " + ice.message());
    // The answer fixes the DTLS roles: only active or passive can be applied.
    cricket::ConnectionRole role = transport->description.connection_role;
    if (answer && role != cricket::CONNECTIONROLE_ACTIVE && role != cricket::CONNECTIONROLE_PASSIVE &&
        role != cricket::CONNECTIONROLE_NONE)
      return InvalidParameter("m= section with mid='" + content.name + "': an answer's setup must be active or passive.");
    const rtc::SSLFingerprint* fp = transport->description.identity_fingerprint.get();
    if (fp != nullptr && !UsableFingerprint(*fp))
      return InvalidParameter("m= section with mid='" + content.name + "' has an unusable " + fp->algorithm +
                              " fingerprint.");
  }
  return std::nullopt;
}

}  // namespace nlw
