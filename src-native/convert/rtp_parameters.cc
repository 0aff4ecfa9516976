#include "convert/rtp_parameters.h"

#include <cmath>
#include <limits>

#include "rtc_base/time_utils.h"

namespace nlw {

namespace {

const char* PriorityName(double bitrate_priority) {
  // webrtc-pc maps priority to a relative bitrate (very-low 0.5, low 1, medium 2, high 4).
  if (bitrate_priority <= 0.5) return "very-low";
  if (bitrate_priority <= 1.0) return "low";
  if (bitrate_priority <= 2.0) return "medium";
  return "high";
}

double BitratePriority(const std::string& name) {
  if (name == "very-low") return 0.5;
  if (name == "medium") return 2.0;
  if (name == "high") return 4.0;
  return 1.0;
}

const char* NetworkPriorityName(webrtc::Priority p) {
  switch (p) {
    case webrtc::Priority::kVeryLow: return "very-low";
    case webrtc::Priority::kLow: return "low";
    case webrtc::Priority::kMedium: return "medium";
    case webrtc::Priority::kHigh: return "high";
  }
  return "low";
}

webrtc::Priority NetworkPriority(const std::string& name) {
  if (name == "very-low") return webrtc::Priority::kVeryLow;
  if (name == "medium") return webrtc::Priority::kMedium;
  if (name == "high") return webrtc::Priority::kHigh;
  return webrtc::Priority::kLow;
}

const char* DegradationName(webrtc::DegradationPreference d) {
  switch (d) {
    case webrtc::DegradationPreference::MAINTAIN_FRAMERATE: return "maintain-framerate";
    case webrtc::DegradationPreference::MAINTAIN_RESOLUTION: return "maintain-resolution";
    case webrtc::DegradationPreference::BALANCED: return "balanced";
    case webrtc::DegradationPreference::DISABLED: return "balanced";
  }
  return "balanced";
}

Napi::Object CodecToJs(Napi::Env env, const std::string& mime, int payload_type,
                       absl::optional<int> clock_rate, absl::optional<int> channels,
                       const std::map<std::string, std::string>& parameters) {
  Napi::Object c = Napi::Object::New(env);
  if (payload_type >= 0) c.Set("payloadType", payload_type);
  c.Set("mimeType", mime);
  if (clock_rate) c.Set("clockRate", *clock_rate);
  if (channels) c.Set("channels", *channels);
  std::string fmtp = FmtpLine(parameters);
  if (!fmtp.empty()) c.Set("sdpFmtpLine", fmtp);
  return c;
}

std::string Str(Napi::Object o, const char* key) {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}

}  // namespace

std::string FmtpLine(const std::map<std::string, std::string>& parameters) {
  std::string line;
  for (const auto& [k, v] : parameters) {
    if (!line.empty()) line += ";";
    line += k.empty() ? v : k + "=" + v;
  }
  return line;
}

Napi::Object RtpParametersToJs(Napi::Env env, const webrtc::RtpParameters& p, bool sender) {
  Napi::Object o = Napi::Object::New(env);
  Napi::Array codecs = Napi::Array::New(env, p.codecs.size());
  for (size_t i = 0; i < p.codecs.size(); i++) {
    const auto& c = p.codecs[i];
    codecs.Set(i, CodecToJs(env, c.mime_type(), c.payload_type, c.clock_rate, c.num_channels, c.parameters));
  }
  o.Set("codecs", codecs);
  Napi::Array exts = Napi::Array::New(env, p.header_extensions.size());
  for (size_t i = 0; i < p.header_extensions.size(); i++) {
    Napi::Object e = Napi::Object::New(env);
    e.Set("uri", p.header_extensions[i].uri);
    e.Set("id", p.header_extensions[i].id);
    e.Set("encrypted", p.header_extensions[i].encrypt);
    exts.Set(i, e);
  }
  o.Set("headerExtensions", exts);
  Napi::Object rtcp = Napi::Object::New(env);
  if (p.rtcp.cname.empty()) rtcp.Set("cname", env.Undefined());
  else rtcp.Set("cname", p.rtcp.cname);
  rtcp.Set("reducedSize", p.rtcp.reduced_size);
  o.Set("rtcp", rtcp);
  if (sender) {
    Napi::Array encodings = Napi::Array::New(env, p.encodings.size());
    for (size_t i = 0; i < p.encodings.size(); i++) {
      const auto& e = p.encodings[i];
      Napi::Object j = Napi::Object::New(env);
      if (!e.rid.empty()) j.Set("rid", e.rid);
      j.Set("active", e.active);
      if (e.max_bitrate_bps) j.Set("maxBitrate", *e.max_bitrate_bps);
      if (e.max_framerate) j.Set("maxFramerate", *e.max_framerate);
      if (e.scale_resolution_down_by) j.Set("scaleResolutionDownBy", *e.scale_resolution_down_by);
      j.Set("priority", PriorityName(e.bitrate_priority));
      j.Set("networkPriority", NetworkPriorityName(e.network_priority));
      if (e.scalability_mode) j.Set("scalabilityMode", *e.scalability_mode);
      encodings.Set(i, j);
    }
    o.Set("encodings", encodings);
    if (p.degradation_preference) o.Set("degradationPreference", DegradationName(*p.degradation_preference));
  } else {
    o.Set("encodings", Napi::Array::New(env, 0));
  }
  return o;
}

// maxBitrate as libwebrtc's int bps. JS checked a non-negative integer (unsigned long); above
// INT_MAX it means no limit (an Int32Value of 2^31 wrapped negative: below the codec's minimum,
// which aborted the process on a live DCHECK in AudioSendStream::ConfigureBitrateObserver).
absl::optional<int> BitrateBps(Napi::Value v) {
  if (!v.IsNumber()) return absl::nullopt;
  const double bps = v.As<Napi::Number>().DoubleValue();
  if (!(bps >= 0)) return absl::nullopt;
  return bps >= static_cast<double>(std::numeric_limits<int>::max()) ? std::numeric_limits<int>::max()
                                                                      : static_cast<int>(bps);
}

webrtc::RTCError CheckSendEncodings(cricket::MediaType kind, const std::vector<webrtc::RtpEncodingParameters>& encodings) {
  if (kind != cricket::MEDIA_TYPE_AUDIO) return webrtc::RTCError::OK();
  for (const auto& e : encodings) {
    // M108's audio send stream takes 0 as a maximum below its minimum and aborts (a live DCHECK:
    // AudioSendStream::GetMinMaxBitrateConstraints gives none); 1 to 5999 it refuses itself.
    if (e.max_bitrate_bps && *e.max_bitrate_bps <= 0)
      return webrtc::RTCError(webrtc::RTCErrorType::INVALID_RANGE, "an audio encoding's maxBitrate must be above 0");
  }
  return webrtc::RTCError::OK();
}

void ApplySendParameters(Napi::Object from, webrtc::RtpParameters* p) {
  Napi::Value encodings = from.Get("encodings");
  if (encodings.IsArray()) {
    Napi::Array a = encodings.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length() && i < p->encodings.size(); i++) {
      if (!a.Get(i).IsObject()) continue;
      Napi::Object j = a.Get(i).As<Napi::Object>();
      auto& e = p->encodings[i];
      if (j.Get("active").IsBoolean()) e.active = j.Get("active").As<Napi::Boolean>();
      e.max_bitrate_bps = BitrateBps(j.Get("maxBitrate"));
      e.max_framerate = j.Get("maxFramerate").IsNumber()
                            ? absl::optional<double>(j.Get("maxFramerate").As<Napi::Number>().DoubleValue())
                            : absl::nullopt;
      if (j.Get("scaleResolutionDownBy").IsNumber())
        e.scale_resolution_down_by = j.Get("scaleResolutionDownBy").As<Napi::Number>().DoubleValue();
      else if (p->encodings.size() == 1 || e.scale_resolution_down_by)
        e.scale_resolution_down_by = absl::nullopt;
      if (j.Get("priority").IsString()) e.bitrate_priority = BitratePriority(Str(j, "priority"));
      if (j.Get("networkPriority").IsString()) e.network_priority = NetworkPriority(Str(j, "networkPriority"));
    }
  }
  std::string d = Str(from, "degradationPreference");
  if (d == "maintain-framerate") p->degradation_preference = webrtc::DegradationPreference::MAINTAIN_FRAMERATE;
  else if (d == "maintain-resolution") p->degradation_preference = webrtc::DegradationPreference::MAINTAIN_RESOLUTION;
  else if (d == "balanced") p->degradation_preference = webrtc::DegradationPreference::BALANCED;
  else if (d.empty()) p->degradation_preference = absl::nullopt;
}

Napi::Object RtpCapabilitiesToJs(Napi::Env env, const webrtc::RtpCapabilities& caps) {
  Napi::Object o = Napi::Object::New(env);
  Napi::Array codecs = Napi::Array::New(env, caps.codecs.size());
  for (size_t i = 0; i < caps.codecs.size(); i++) {
    const auto& c = caps.codecs[i];
    codecs.Set(i, CodecToJs(env, c.mime_type(), -1, c.clock_rate, c.num_channels, c.parameters));
  }
  o.Set("codecs", codecs);
  Napi::Array exts = Napi::Array::New(env, caps.header_extensions.size());
  for (size_t i = 0; i < caps.header_extensions.size(); i++) {
    Napi::Object e = Napi::Object::New(env);
    e.Set("uri", caps.header_extensions[i].uri);
    exts.Set(i, e);
  }
  o.Set("headerExtensions", exts);
  return o;
}

bool CodecCapabilityFromJs(Napi::Object from, webrtc::RtpCodecCapability* out) {
  std::string mime = Str(from, "mimeType");
  size_t slash = mime.find('/');
  if (slash == std::string::npos) return false;
  std::string kind = mime.substr(0, slash);
  if (kind == "audio") out->kind = cricket::MEDIA_TYPE_AUDIO;
  else if (kind == "video") out->kind = cricket::MEDIA_TYPE_VIDEO;
  else return false;
  out->name = mime.substr(slash + 1);
  if (from.Get("clockRate").IsNumber()) out->clock_rate = from.Get("clockRate").As<Napi::Number>().Int32Value();
  if (from.Get("channels").IsNumber()) out->num_channels = from.Get("channels").As<Napi::Number>().Int32Value();
  std::string fmtp = Str(from, "sdpFmtpLine");
  size_t start = 0;
  while (start < fmtp.size()) {
    size_t end = fmtp.find(';', start);
    if (end == std::string::npos) end = fmtp.size();
    std::string item = fmtp.substr(start, end - start);
    size_t eq = item.find('=');
    if (eq == std::string::npos) out->parameters[""] = item;
    else out->parameters[item.substr(0, eq)] = item.substr(eq + 1);
    start = end + 1;
  }
  return true;
}

std::vector<webrtc::RtpEncodingParameters> EncodingsFromJs(Napi::Value from) {
  std::vector<webrtc::RtpEncodingParameters> out;
  if (!from.IsArray()) return out;
  Napi::Array a = from.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    webrtc::RtpEncodingParameters e;
    if (a.Get(i).IsObject()) {
      Napi::Object j = a.Get(i).As<Napi::Object>();
      e.rid = Str(j, "rid");
      if (j.Get("active").IsBoolean()) e.active = j.Get("active").As<Napi::Boolean>();
      e.max_bitrate_bps = BitrateBps(j.Get("maxBitrate"));
      if (j.Get("maxFramerate").IsNumber()) e.max_framerate = j.Get("maxFramerate").As<Napi::Number>().DoubleValue();
      if (j.Get("scaleResolutionDownBy").IsNumber())
        e.scale_resolution_down_by = j.Get("scaleResolutionDownBy").As<Napi::Number>().DoubleValue();
      if (j.Get("priority").IsString()) e.bitrate_priority = BitratePriority(Str(j, "priority"));
      if (j.Get("networkPriority").IsString()) e.network_priority = NetworkPriority(Str(j, "networkPriority"));
      if (j.Get("scalabilityMode").IsString()) e.scalability_mode = Str(j, "scalabilityMode");
    }
    out.push_back(std::move(e));
  }
  return out;
}

Napi::Array RtpSourcesToJs(Napi::Env env, const std::vector<webrtc::RtpSource>& sources,
                           webrtc::RtpSourceType type) {
  Napi::Array out = Napi::Array::New(env);
  // webrtc-pc timestamps are on the Performance timeline; libwebrtc's are rtc::TimeMillis().
  // The JS side rebases them (it knows performance.now()), so hand over the offset basis too.
  uint32_t n = 0;
  for (const auto& s : sources) {
    if (s.source_type() != type) continue;
    Napi::Object o = Napi::Object::New(env);
    o.Set("source", static_cast<double>(s.source_id()));
    o.Set("rtpTimestamp", static_cast<double>(s.rtp_timestamp()));
    o.Set("ageMs", static_cast<double>(rtc::TimeMillis() - s.timestamp_ms()));
    if (s.audio_level()) {
      // RFC 6464 level in -dBov (0..127) -> linear 0..1, as webrtc-pc defines audioLevel.
      o.Set("audioLevel", std::pow(10.0, -static_cast<double>(*s.audio_level()) / 20.0));
    }
    out.Set(n++, o);
  }
  return out;
}

}  // namespace nlw
