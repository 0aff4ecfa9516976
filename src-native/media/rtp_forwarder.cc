#include "media/rtp_forwarder.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "media/base/stream_params.h"
#include "api/video_codecs/h264_profile_level_id.h"
#include "api/video_codecs/vp9_profile.h"
#include "media/rtp_rewrite.h"
#include "media/transformer_slots.h"
#include "runtime/datagram_batch.h"
#include "runtime/quiet_sends.h"
#include "modules/rtp_rtcp/source/rtp_packet_received.h"
#include "pc/channel.h"
#include "pc/channel_interface.h"
#include "pc/peer_connection_internal.h"
#include "pc/rtp_media_utils.h"
#include "pc/rtp_transceiver.h"
#include "rtc_base/helpers.h"
#include "rtc_base/logging.h"
#include "rtc_base/time_utils.h"
#include "system_wrappers/include/clock.h"
#include "wrap/peer_connection_observer.h"

namespace nlw {
namespace {

constexpr size_t kHistory = 1024;           // publisher packets kept for NACKs (~1.3 s of 720p)
constexpr int64_t kResolveMs = 500;         // a target looks at its sender again this often
constexpr int64_t kKeyFrameWaitMs = 3000;   // no keyframe by then: the sender's own path takes over
constexpr int64_t kKeyFrameAskMs = 300;     // keyframe requests, at most this often per target
constexpr size_t kSrtpTailRoom = 16;        // the largest SRTP authentication tag

std::atomic<int> g_resolved_taps{0};
std::atomic<int> g_sequences{0};  // SSRCs with a SeqState

// The next sequence number of each SSRC libwebrtc's sequencers numbered lately: a direct-mapped
// table (an entry: SSRC << 32 | 1 << 16 | next), so that the forwarder, starting on a sender that
// sent through libwebrtc's path before (replaceTrack from a local track), goes on from it. A
// collision only loses the entry (the forwarder then starts at random, as a new sender would).
// Beside it, the entry's last RTP timestamp and when it was numbered (ms, low 32 bits).
constexpr size_t kLastSequences = 4096;
std::atomic<uint64_t> g_last_sequence[kLastSequences];
std::atomic<uint64_t> g_last_timestamp[kLastSequences];

// How many SeqStates (by media or RTX SSRC) fall on each slot of the same size: libwebrtc's
// packets of every other SSRC pass by without the registry's lock (a per-packet lock on every
// thread that sends, once the process forwards anything). Written under Reg().mu.
std::atomic<uint32_t> g_numbered_slots[kLastSequences];

void MarkNumbered(uint32_t ssrc, bool on) {
  if (on) g_numbered_slots[ssrc % kLastSequences].fetch_add(1, std::memory_order_relaxed);
  else g_numbered_slots[ssrc % kLastSequences].fetch_sub(1, std::memory_order_relaxed);
}

// Whether `ssrc` may have a SeqState (false: certainly not).
bool MaybeNumbered(uint32_t ssrc) {
  return g_numbered_slots[ssrc % kLastSequences].load(std::memory_order_relaxed) != 0;
}

bool LastSequence(uint32_t ssrc, uint16_t* next, uint32_t* ts, uint32_t* ms) {
  const uint64_t v = g_last_sequence[ssrc % kLastSequences].load(std::memory_order_relaxed);
  const uint64_t t = g_last_timestamp[ssrc % kLastSequences].load(std::memory_order_relaxed);
  if ((v >> 32) != ssrc || !(v & 0x10000)) return false;
  *next = static_cast<uint16_t>(v);
  *ts = static_cast<uint32_t>(t >> 32);
  *ms = static_cast<uint32_t>(t);
  return true;
}

// The numbering of one sender's SSRC, shared by the forwarder and libwebrtc's sequencer.
struct SeqState {
  // Sequence numbers on the wire. libwebrtc's sequencer numbers its packets its own way (its egress
  // checks that they follow one another): its packets go out shifted by `delta`, set when it
  // sends again after the forwarder, so that they go on from the forwarder's.
  std::atomic<bool> known{false};           // `next` was set: the forwarder sent
  std::atomic<bool> forwarded_last{false};  // the forwarder sent the last packet
  std::atomic<uint32_t> next{0};            // the forwarder's next number on the wire
  std::atomic<int32_t> delta{0};            // on the wire = libwebrtc's + delta (mod 2^16)
  // RTP timestamps likewise: a receiver drops a keyframe whose timestamp is not after the last
  // one it decoded when its picture id is older (the two paths' picture ids are unrelated).
  std::atomic<uint32_t> last_ts{0};         // the forwarder's last timestamp on the wire
  std::atomic<int64_t> last_ms{0};          // when it was sent
  std::atomic<int32_t> clock_khz{90};
  std::atomic<uint32_t> ts_delta{0};        // on the wire = libwebrtc's + ts_delta (mod 2^32)
  std::atomic<uint32_t> rtcp_ts_delta{0};   // the part of ts_delta its sender reports have
  uint32_t rtx_ssrc = 0;                    // libwebrtc's RTX stream of the SSRC, under Reg().mu
  // What the forwarder sent on the SSRC (outbound-rtp).
  std::atomic<uint64_t> packets{0}, payload_bytes{0}, header_bytes{0}, frames{0}, key_frames{0};
  std::atomic<uint64_t> resent_packets{0}, resent_bytes{0};
  std::atomic<bool> forwarding{false};
};
std::atomic<uint64_t> g_forwarded{0}, g_resent{0};
std::atomic<int64_t> g_forwarding{0};

// Header extensions carried over (by URI): none depends on the sender's own clock or sequence.
bool Carried(const std::string& uri) {
  return uri == webrtc::RtpExtension::kAudioLevelUri || uri == webrtc::RtpExtension::kVideoRotationUri ||
         uri == webrtc::RtpExtension::kAbsoluteCaptureTimeUri || uri == webrtc::RtpExtension::kPlayoutDelayUri ||
         uri == webrtc::RtpExtension::kVideoContentTypeUri || uri == webrtc::RtpExtension::kColorSpaceUri;
}

ForwardCodec CodecOf(const webrtc::RtpCodecParameters& c) {
  if (absl::EqualsIgnoreCase(c.name, "red")) return ForwardCodec::kRed;
  if (absl::EqualsIgnoreCase(c.name, "ulpfec") || absl::StartsWithIgnoreCase(c.name, "flexfec")) return ForwardCodec::kFec;
  if (absl::EqualsIgnoreCase(c.name, "rtx")) return ForwardCodec::kNone;
  if (c.kind == cricket::MEDIA_TYPE_AUDIO) {
    if (absl::EqualsIgnoreCase(c.name, "telephone-event") || absl::EqualsIgnoreCase(c.name, "CN"))
      return ForwardCodec::kNone;
    return ForwardCodec::kAudio;
  }
  if (absl::EqualsIgnoreCase(c.name, "VP8")) return ForwardCodec::kVp8;
  if (absl::EqualsIgnoreCase(c.name, "VP9")) return ForwardCodec::kVp9;
  if (absl::EqualsIgnoreCase(c.name, "H264")) return ForwardCodec::kH264;
  return ForwardCodec::kNone;
}

std::string Param(const std::map<std::string, std::string>& p, const std::string& key, const std::string& fallback) {
  auto it = p.find(key);
  return it == p.end() ? fallback : it->second;
}

// Whether a subscriber's negotiated codec `out` can carry the publisher's packets of `in` unchanged.
bool SameFormat(const webrtc::RtpCodecParameters& in, const webrtc::RtpCodecParameters& out) {
  if (!absl::EqualsIgnoreCase(in.name, out.name) || in.clock_rate != out.clock_rate) return false;
  if (in.kind == cricket::MEDIA_TYPE_AUDIO) return in.num_channels.value_or(1) == out.num_channels.value_or(1);
  const ForwardCodec codec = CodecOf(in);
  if (codec == ForwardCodec::kH264)
    return Param(in.parameters, "packetization-mode", "0") == Param(out.parameters, "packetization-mode", "0") &&
           webrtc::H264IsSameProfile(in.parameters, out.parameters);
  if (codec == ForwardCodec::kVp9) return webrtc::VP9IsSameProfile(in.parameters, out.parameters);
  return true;
}

using TransceiverProxy = webrtc::RtpTransceiverProxyWithInternal<webrtc::RtpTransceiver>;

// The connection's thread. The proxy, held, keeps the transceiver alive (a raw pointer kept between
// tasks outlived it once the connection closed: ASan, session 18); its channel is looked up anew.
rtc::scoped_refptr<TransceiverProxy> TransceiverOf(webrtc::PeerConnectionInternal* pc,
                                                  const webrtc::RtpSenderInterface* sender,
                                                  const webrtc::RtpReceiverInterface* receiver) {
  for (const auto& proxy : pc->GetTransceiversInternal()) {
    webrtc::RtpTransceiver* t = proxy->internal();
    if ((sender != nullptr && t->sender().get() == sender) || (receiver != nullptr && t->receiver().get() == receiver))
      return proxy;
  }
  return nullptr;
}

struct Packet {
  rtc::CopyOnWriteBuffer bytes;
  RtpView view;
  ForwardCodec codec = ForwardCodec::kNone;
  size_t skip = 0;       // a RED header before the payload
  bool padding = false;  // sent as padding only
  bool key_start = false;
  bool retransmitted = false;  // the publisher's RTX: a hole filled late
};

class Target;

// Targets of one thread, in one snapshot of a tap's targets.
struct Group {
  rtc::Thread* thread;
  std::vector<std::shared_ptr<Target>> targets;
};
using Groups = std::vector<Group>;

// One publisher stream (a remote track's receiver): its packets, whom they go to.
class Tap : public std::enable_shared_from_this<Tap> {
 public:
  explicit Tap(std::shared_ptr<ForwardSource> source) : source_(std::move(source)) {}
  // The receiver's proxy goes on its connection's thread: released elsewhere, its destructor would
  // make a blocking call to that thread (the last reference can be ours once the track is gone).
  ~Tap() {
    if (source_->receiver && source_->thread != nullptr && !source_->thread->IsCurrent())
      source_->thread->PostTask([r = std::move(source_->receiver)]() mutable { r = nullptr; });
  }

  const std::shared_ptr<ForwardSource>& source() const { return source_; }

  // Publisher thread: the receiver's channel, SSRC, codecs and extension ids, again.
  void Resolve();
  // Publisher thread, from the channel's hook.
  void OnPacket(const webrtc::RtpPacketReceived& packet);
  // Any thread: a kept packet by its sequence number.
  bool Find(uint16_t sequence, Packet* out);

  // Any thread: the publisher's codecs and extensions as last resolved, and their generation.
  uint64_t Formats(std::vector<webrtc::RtpCodecParameters>* codecs, std::vector<webrtc::RtpExtension>* extensions) {
    std::lock_guard<std::mutex> lock(mu_);
    if (codecs != nullptr) *codecs = codecs_;
    if (extensions != nullptr) *extensions = extensions_;
    return generation_;
  }
  bool resolved() {
    std::lock_guard<std::mutex> lock(mu_);
    return channel_ != nullptr && ssrc_ != 0;
  }
  // Resolved once with a channel but no single signaled SSRC (simulcast, an unsignaled stream),
  // or the application's transform on the publisher's receiver: libwebrtc's path takes it.
  bool unforwardable() {
    std::lock_guard<std::mutex> lock(mu_);
    return unforwardable_;
  }

  void SetTargets(std::shared_ptr<const Groups> groups) {
    std::lock_guard<std::mutex> lock(mu_);
    groups_ = std::move(groups);
  }
  void RequestKeyFrame() {
    if (source_->request_key_frame) source_->request_key_frame();
  }
  // Publisher thread, then every second while the tap has targets.
  static void ScheduleResolve(std::weak_ptr<Tap> weak, int64_t delay_ms);
  void Retire();  // any thread: out of the channel index

 private:
  void Index(const cricket::ChannelInterface* channel, uint32_t ssrc, uint32_t rtx);

  const std::shared_ptr<ForwardSource> source_;
  std::mutex mu_;
  const cricket::ChannelInterface* channel_ = nullptr;  // under mu_
  uint32_t ssrc_ = 0;                                    // under mu_
  std::vector<webrtc::RtpCodecParameters> codecs_;       // under mu_
  std::vector<webrtc::RtpExtension> extensions_;         // under mu_
  uint64_t generation_ = 0;                              // under mu_
  bool unforwardable_ = false;                           // under mu_
  std::shared_ptr<const Groups> groups_;                 // under mu_
  std::array<ForwardCodec, 128> codec_of_{};             // publisher thread
  std::array<int16_t, 128> apt_{};                       // publisher thread: RTX -> media type
  uint32_t rtx_ssrc_ = 0;                                // publisher thread
  uint32_t indexed_rtx_ = 0;                             // publisher thread

  std::mutex history_mu_;
  std::array<Packet, kHistory> history_;  // by sequence % kHistory; under history_mu_
};

// One sender that sends a relayed track.
class Target : public std::enable_shared_from_this<Target> {
 public:
  Target(rtc::scoped_refptr<webrtc::RtpSenderInterface> sender, std::weak_ptr<PeerConnectionShared> pc,
         rtc::Thread* thread, std::shared_ptr<Tap> tap, std::shared_ptr<ForwardGate> gate)
      : sender_(std::move(sender)), pc_(std::move(pc)), thread_(thread), tap_(std::move(tap)), gate_(std::move(gate)) {
    pt_map_.fill(-1);
    ext_map_.fill(0);
  }

  // The sender's proxy likewise goes on its own thread.
  ~Target() {
    if (thread_->IsCurrent()) return;
    thread_->PostTask([s = std::move(sender_), t = std::move(transceiver_)]() mutable {
      t = nullptr;
      s = nullptr;
    });
  }

  rtc::Thread* thread() const { return thread_; }
  const std::shared_ptr<Tap>& tap() const { return tap_; }

  // Its thread.
  void Send(const Packet& packet);
  void Tick();
  bool Nack(const std::vector<uint16_t>& sequence_numbers);
  // Any thread.
  void End();
  bool ended() const { return ended_.load(); }
  bool forwarding() const { return state_.load() == State::kForwarding; }
  bool pending() const { return state_.load() == State::kPending; }
  void Unmark() {  // its thread: the SSRC is no longer forwarded (stats)
    if (seq_) seq_->forwarding.store(false);
  }
  bool Clock(ForwardedClock* out) {
    std::lock_guard<std::mutex> lock(clock_mu_);
    if (!has_clock_) return false;
    *out = clock_;
    return true;
  }
  static void ScheduleTick(std::weak_ptr<Target> weak, int64_t delay_ms);

 private:
  enum class State { kPending, kForwarding, kDeclined };
  void Resolve(int64_t now_ms);
  void SetState(State s);
  void Decline(const char* why);
  bool Transmit(const Packet& packet, bool resend);
  cricket::BaseChannel* Channel();

  rtc::scoped_refptr<webrtc::RtpSenderInterface> sender_;  // released on thread_ (~Target)
  const std::weak_ptr<PeerConnectionShared> pc_;
  rtc::Thread* const thread_;
  const std::shared_ptr<Tap> tap_;
  const std::shared_ptr<ForwardGate> gate_;  // this sender's own path
  std::atomic<bool> ended_{false};
  std::atomic<State> state_{State::kPending};

  // Its thread only.
  rtc::scoped_refptr<TransceiverProxy> transceiver_;  // released on thread_ (~Target)
  uint32_t ssrc_ = 0;
  std::array<int16_t, 128> pt_map_;  // publisher payload type -> the sender's (-1: none)
  int16_t primary_pt_ = -1;          // the sender's payload type for padding
  ExtensionIdMap ext_map_;
  int clock_khz_ = 90;
  int64_t resolved_ms_ = -1;
  int64_t unready_since_ms_ = -1;  // negotiated, but the publisher's stream is not known
  bool waiting_key_ = true;
  int64_t wait_since_ms_ = -1, asked_ms_ = -1000000;
  bool started_ = false;      // something was forwarded: offsets continue from it
  uint16_t seq_offset_ = 0;   // out = in + offset (mod 2^16)
  uint32_t ts_offset_ = 0;    // out = in + offset (mod 2^32)
  uint16_t last_seq_ = 0;
  uint32_t last_ts_ = 0;
  int64_t last_ms_ = 0;
  uint16_t last_in_seq_ = 0;

  std::shared_ptr<SeqState> seq_;  // set with ssrc_

  std::mutex clock_mu_;
  bool has_clock_ = false;   // under clock_mu_
  ForwardedClock clock_;     // under clock_mu_
};

struct Registry {
  std::mutex mu;
  struct Indexed {
    const cricket::ChannelInterface* channel;
    uint32_t ssrc;
    std::shared_ptr<Tap> tap;
    bool media;  // the stream itself, not its RTX
  };
  std::vector<Indexed> by_channel;
  std::map<const webrtc::RtpReceiverInterface*, std::shared_ptr<Tap>> taps;
  std::map<const webrtc::RtpSenderInterface*, std::shared_ptr<Target>> targets;
  std::map<uint32_t, std::weak_ptr<Target>> by_ssrc;
  // Kept across a sender's bindings (one SSRC, several targets in turn).
  std::map<uint32_t, std::shared_ptr<SeqState>> sequences;
  std::map<uint32_t, std::shared_ptr<SeqState>> rtx_sequences;  // by the RTX SSRC
};
Registry& Reg() {
  static Registry* r = new Registry;  // never destroyed: hooks may run during process exit
  return *r;
}

// Under Reg().mu: `state`'s RTX SSRC becomes `rtx` (0: none), in rtx_sequences and the slot counts.
void BindRtxLocked(const std::shared_ptr<SeqState>& state, uint32_t rtx) {
  if (state->rtx_ssrc == rtx) return;
  if (state->rtx_ssrc != 0) {
    Reg().rtx_sequences.erase(state->rtx_ssrc);
    MarkNumbered(state->rtx_ssrc, false);
  }
  if (rtx != 0) {
    Reg().rtx_sequences[rtx] = state;
    MarkNumbered(rtx, true);
  }
  state->rtx_ssrc = rtx;
}

// Under Reg().mu: the tap's targets again, grouped by thread, handed to the tap.
void RegroupLocked(const std::shared_ptr<Tap>& tap) {
  auto groups = std::make_shared<Groups>();
  for (const auto& [sender, target] : Reg().targets) {
    if (target->tap() != tap || target->ended()) continue;
    auto it = std::find_if(groups->begin(), groups->end(), [&](const Group& g) { return g.thread == target->thread(); });
    if (it == groups->end()) groups->push_back(Group{target->thread(), {target}});
    else it->targets.push_back(target);
  }
  tap->SetTargets(std::move(groups));
}

std::shared_ptr<Target> TargetBySsrc(uint32_t ssrc) {
  std::lock_guard<std::mutex> lock(Reg().mu);
  auto it = Reg().by_ssrc.find(ssrc);
  if (it == Reg().by_ssrc.end()) return nullptr;
  return it->second.lock();
}

int64_t NowMs() { return rtc::TimeMillis(); }

// Tests only (no netem or packet filter on every machine): NODE_LIBWEBRTC_TEST_RTP_LOSS=<percent>
// loses that share of a forwarded stream's media packets on the way in (before libwebrtc and the
// forwarder see them) and of the forwarded packets on the way out (not retransmissions).
bool TestLoss() {
  static const int percent = [] {
    const char* v = std::getenv("NODE_LIBWEBRTC_TEST_RTP_LOSS");
    int p = 0;
    return v != nullptr && absl::SimpleAtoi(v, &p) && p > 0 && p < 100 ? p : 0;
  }();
  if (percent == 0) return false;
  static thread_local uint32_t state = 0x9E3779B9u ^ static_cast<uint32_t>(rtc::TimeMicros());
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state % 100 < static_cast<uint32_t>(percent);
}

// Under Reg().mu: whether any live binding still reads `tap`.
bool TapUsedLocked(const std::shared_ptr<Tap>& tap) {
  for (const auto& [s, t] : Reg().targets)
    if (t->tap() == tap) return true;
  return false;
}

// Any thread but under no lock of ours: `target` ends and leaves the registry (its connection or
// transceiver is gone); its tap leaves too when nothing else reads it.
void Forget(const std::shared_ptr<Target>& target);

// ---- Tap ----

void Tap::ScheduleResolve(std::weak_ptr<Tap> weak, int64_t delay_ms) {
  std::shared_ptr<Tap> tap = weak.lock();
  if (!tap) return;
  auto task = [weak] {
    std::shared_ptr<Tap> tap = weak.lock();
    if (!tap) return;
    tap->Resolve();
    ScheduleResolve(weak, 1000);
  };
  if (delay_ms <= 0) tap->source_->thread->PostTask(std::move(task));
  else tap->source_->thread->PostDelayedTask(std::move(task), webrtc::TimeDelta::Millis(delay_ms));
}

void Tap::Resolve() {
  const cricket::ChannelInterface* channel = nullptr;
  uint32_t ssrc = 0;
  webrtc::RtpParameters params;
  if (std::shared_ptr<PeerConnectionShared> pc = source_->pc.lock(); pc && pc->internal != nullptr) {
    if (rtc::scoped_refptr<TransceiverProxy> t = TransceiverOf(pc->internal, nullptr, source_->receiver.get());
        t && !t->internal()->stopped())
      channel = t->internal()->channel();
  }
  bool unforwardable = false;
  if (channel != nullptr) {
    params = source_->receiver->GetParameters();
    if (params.encodings.size() == 1 && params.encodings[0].ssrc && params.encodings[0].rid.empty())
      ssrc = *params.encodings[0].ssrc;
    unforwardable = ssrc == 0 || TransformerSlots::ClaimedByApplication(source_->receiver.get());
    if (unforwardable) ssrc = 0;
  }
  std::array<ForwardCodec, 128> codec_of{};
  std::array<int16_t, 128> apt;
  apt.fill(-1);
  for (const auto& c : params.codecs) {
    if (c.payload_type < 0 || c.payload_type >= 128) continue;
    codec_of[c.payload_type] = CodecOf(c);
    // RTX payload types name the one they repeat (RFC 4588 "apt").
    if (absl::EqualsIgnoreCase(c.name, "rtx")) {
      auto it = c.parameters.find("apt");
      int a = -1;
      if (it != c.parameters.end() && absl::SimpleAtoi(it->second, &a) && a >= 0 && a < 128)
        apt[c.payload_type] = static_cast<int16_t>(a);
    }
  }
  codec_of_ = codec_of;
  apt_ = apt;
  // The publisher's RTX stream, from its SDP (ssrc-group FID): its retransmissions fill the
  // subscribers' holes too.
  uint32_t rtx = 0;
  if (ssrc != 0) {
    for (const cricket::StreamParams& sp : channel->remote_streams())
      if (sp.has_ssrc(ssrc) && sp.GetFidSsrc(ssrc, &rtx)) break;
  }
  rtx_ssrc_ = rtx;
  bool changed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    unforwardable_ = unforwardable;
    changed = channel != channel_ || ssrc != ssrc_ || params.codecs != codecs_ || params.header_extensions != extensions_;
    if (changed) {
      channel_ = channel;
      ssrc_ = ssrc;
      codecs_ = params.codecs;
      extensions_ = params.header_extensions;
      ++generation_;
    }
  }
  if (changed || rtx != indexed_rtx_) {
    indexed_rtx_ = rtx;
    Index(channel, ssrc, rtx);
  }
}

void Tap::Index(const cricket::ChannelInterface* channel, uint32_t ssrc, uint32_t rtx) {
  std::lock_guard<std::mutex> lock(Reg().mu);
  auto& v = Reg().by_channel;
  const size_t before = v.size();
  v.erase(std::remove_if(v.begin(), v.end(), [&](const Registry::Indexed& e) { return e.tap.get() == this; }), v.end());
  if (channel != nullptr && ssrc != 0) {
    v.push_back({channel, ssrc, shared_from_this(), true});
    if (rtx != 0) v.push_back({channel, rtx, shared_from_this(), false});
  }
  g_resolved_taps.fetch_add(static_cast<int>(v.size()) - static_cast<int>(before));
}

void Tap::Retire() {
  std::lock_guard<std::mutex> lock(Reg().mu);
  auto& v = Reg().by_channel;
  const size_t before = v.size();
  v.erase(std::remove_if(v.begin(), v.end(), [&](const Registry::Indexed& e) { return e.tap.get() == this; }), v.end());
  g_resolved_taps.fetch_sub(static_cast<int>(before - v.size()));
}

void Tap::OnPacket(const webrtc::RtpPacketReceived& received) {
  Packet packet;
  packet.bytes = received.Buffer();  // shared, not copied
  if (!ReadRtp(packet.bytes.cdata(), packet.bytes.size(), &packet.view)) return;
  const uint8_t* payload = packet.bytes.cdata() + packet.view.header_size;
  if (rtx_ssrc_ != 0 && packet.view.ssrc == rtx_ssrc_) {
    // A retransmission (RFC 4588): the original sequence number, then the original payload, under
    // the original payload type. RTX padding (probes) carries none: not forwarded.
    const int16_t original = apt_[packet.view.payload_type];
    if (original < 0 || packet.view.payload_size <= 2) return;
    packet.view.sequence = static_cast<uint16_t>(payload[0] << 8 | payload[1]);
    packet.view.payload_type = static_cast<uint8_t>(original);
    packet.skip = 2;
    packet.view.payload_size -= 2;
    packet.retransmitted = true;
  }
  packet.codec = codec_of_[packet.view.payload_type];
  if (packet.codec == ForwardCodec::kRed) {
    // RED (libwebrtc wraps video in it when ULPFEC is negotiated): the primary block goes on alone.
    uint8_t inner = 0;
    size_t offset = 0;
    if (RedPrimary(payload + packet.skip, packet.view.payload_size, &inner, &offset)) {
      packet.codec = codec_of_[inner];
      packet.view.payload_type = inner;
      packet.skip += offset;
      packet.view.payload_size -= offset;
    } else {
      packet.codec = ForwardCodec::kNone;
    }
  }
  // What a subscriber cannot use (FEC, which protects the publisher's numbering; comfort noise;
  // padding) goes as padding, so that the sequence keeps no hole to NACK.
  packet.padding = packet.view.payload_size == 0 || packet.codec == ForwardCodec::kNone ||
                   packet.codec == ForwardCodec::kRed || packet.codec == ForwardCodec::kFec;
  // Audio has no holes to fill (no NACK): telephone events, comfort noise and the like are left out.
  if (packet.padding && source_->audio) return;
  if (!packet.padding)
    packet.key_start = !packet.retransmitted && StartsKeyFrame(packet.codec, payload + packet.skip, packet.view.payload_size);
  {
    std::lock_guard<std::mutex> lock(history_mu_);
    history_[packet.view.sequence % kHistory] = packet;
  }
  std::shared_ptr<const Groups> groups;
  {
    std::lock_guard<std::mutex> lock(mu_);
    groups = groups_;
  }
  if (!groups) return;
  for (size_t i = 0; i < groups->size(); ++i) {
    const Group& g = (*groups)[i];
    if (g.thread->IsCurrent()) {
      // Each subscriber's packets of what this read brought leave in one system call per socket
      // (UDP_SEGMENT, runtime/datagram_batch.h) when the read's scope ends.
      DatagramBatch batch(DatagramBatch::kSegment);
      for (const auto& t : g.targets) t->Send(packet);
    } else {
      g.thread->PostTask([groups, i, packet] {
        DatagramBatch batch(DatagramBatch::kSegment);
        for (const auto& t : (*groups)[i].targets) t->Send(packet);
      });
    }
  }
}

bool Tap::Find(uint16_t sequence, Packet* out) {
  std::lock_guard<std::mutex> lock(history_mu_);
  const Packet& p = history_[sequence % kHistory];
  if (p.bytes.size() == 0 || p.view.sequence != sequence) return false;
  *out = p;
  return true;
}

// ---- Target ----

void Target::ScheduleTick(std::weak_ptr<Target> weak, int64_t delay_ms) {
  std::shared_ptr<Target> target = weak.lock();
  if (!target || target->ended()) return;
  target->thread_->PostDelayedTask(
      [weak] {
        std::shared_ptr<Target> target = weak.lock();
        if (!target || target->ended()) return;
        target->Tick();
        // Quicker while undecided: the sender sends nothing until then.
        ScheduleTick(weak, target->pending() ? 100 : kResolveMs);
      },
      webrtc::TimeDelta::Millis(delay_ms));
}

// Any thread (Bind ends a replaced binding on the JS thread): atomics only. The SSRC's
// `forwarding` flag (stats) is left to the next binding, or to a Forget on the target's thread.
void Target::End() {
  if (ended_.exchange(true)) return;
  if (state_.exchange(State::kDeclined) == State::kForwarding) g_forwarding.fetch_sub(1);
}

void Target::SetState(State s) {  // the target's thread
  if (ended_.load()) return;
  const State before = state_.exchange(s);
  if (seq_) seq_->forwarding.store(s == State::kForwarding);
  if (before == s) return;
  if (s == State::kForwarding) g_forwarding.fetch_add(1);
  if (before == State::kForwarding) g_forwarding.fetch_sub(1);
}

void Target::Decline(const char* why) {
  if (state_.load() != State::kDeclined)
    RTC_LOG(LS_INFO) << "RTP forwarding: sender " << ssrc_ << " takes libwebrtc's path: " << why;
  SetState(State::kDeclined);
  if (gate_) gate_->shut.store(false);
}

cricket::BaseChannel* Target::Channel() {
  if (!transceiver_) return nullptr;
  // Our factory's channels are libwebrtc's VoiceChannel/VideoChannel, both BaseChannels.
  return static_cast<cricket::BaseChannel*>(transceiver_->internal()->channel());
}

void Target::Resolve(int64_t now_ms) {
  resolved_ms_ = now_ms;
  if (state_.load() == State::kDeclined) return;
  std::shared_ptr<PeerConnectionShared> pc = pc_.lock();
  if (!pc || pc->internal == nullptr) {
    Forget(shared_from_this());
    return;
  }
  transceiver_ = TransceiverOf(pc->internal, sender_.get(), nullptr);
  if (!transceiver_ || transceiver_->internal()->stopped()) {
    transceiver_ = nullptr;
    Forget(shared_from_this());
    return;
  }
  // Not negotiated yet, or not sending: nothing is sent either way. (The channel exists from the
  // offer on; the send codecs only once the answer is applied.)
  const absl::optional<webrtc::RtpTransceiverDirection> current = transceiver_->internal()->current_direction();
  if (transceiver_->internal()->channel() == nullptr || !current || !webrtc::RtpTransceiverDirectionHasSend(*current)) return;
  if (tap_->unforwardable()) {
    Decline("the publisher's stream is simulcast, has no signaled SSRC, or is transformed");
    return;
  }
  if (TransformerSlots::ClaimedByApplication(sender_.get())) {
    Decline("the application's transform is on the sender");
    return;
  }
  if (!tap_->resolved()) {
    // The publisher's stream is not known yet (or is gone): libwebrtc's path, after a while.
    if (unready_since_ms_ < 0) unready_since_ms_ = now_ms;
    if (now_ms - unready_since_ms_ > kKeyFrameWaitMs) Decline("the publisher's stream has no known SSRC");
    return;
  }
  rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track = sender_->track();
  webrtc::RtpParameters params = sender_->GetParameters();
  std::vector<webrtc::RtpCodecParameters> in_codecs;
  std::vector<webrtc::RtpExtension> in_exts;
  tap_->Formats(&in_codecs, &in_exts);
  if (!track) return;  // replaceTrack binds before it sets the track: the next look decides
  // One encoding, sent at the publisher's size and rate; the track enabled (else libwebrtc's path
  // sends black or silence).
  const webrtc::RtpEncodingParameters* e = params.encodings.size() == 1 ? &params.encodings[0] : nullptr;
  const bool muted = tap_->source()->muted && tap_->source()->muted();
  const char* why = nullptr;
  if (!track->enabled() || muted) why = "the track is disabled";
  else if (e == nullptr || !e->ssrc) why = "not one encoding with an SSRC";
  else if (!e->active) why = "its encoding is inactive";
  else if (e->scale_resolution_down_by.value_or(1.0) > 1.0 || e->max_framerate || e->requested_resolution)
    why = "its encoding is scaled or rate-limited";
  if (params.codecs.empty()) return;  // between descriptions
  const bool ok = why == nullptr;
  std::array<int16_t, 128> pt_map;
  pt_map.fill(-1);
  int clock_khz = 90;
  int16_t primary = -1;
  bool any = false;
  if (ok) {
    // The sender's send codec only (the first negotiated): another one in the list would be
    // accepted by the subscriber, but is not what the sender sends.
    const webrtc::RtpCodecParameters& out = params.codecs[0];
    for (const auto& in : in_codecs) {
      const ForwardCodec codec = CodecOf(in);
      if (in.payload_type < 0 || in.payload_type >= 128 || codec == ForwardCodec::kNone ||
          codec == ForwardCodec::kRed || codec == ForwardCodec::kFec || !SameFormat(in, out))
        continue;
      pt_map[in.payload_type] = static_cast<int16_t>(out.payload_type);
      if (!any) primary = static_cast<int16_t>(out.payload_type);
      if (!any && in.clock_rate) clock_khz = std::max(1, *in.clock_rate / 1000);
      any = true;
    }
  }
  if (!ok || !any) {
    Decline(!ok ? why : "the sender's codec is not one of the publisher's");
    return;
  }
  ExtensionIdMap ext_map;
  ext_map.fill(0);
  for (const auto& in : in_exts) {
    if (!Carried(in.uri) || in.id <= 0 || in.id > 255) continue;
    for (const auto& out : params.header_extensions)
      if (out.uri == in.uri && out.id > 0 && out.id <= 255) ext_map[in.id] = static_cast<uint8_t>(out.id);
  }
  const uint32_t ssrc = *params.encodings[0].ssrc;
  if (ssrc != ssrc_) {
    std::lock_guard<std::mutex> lock(Reg().mu);
    if (ssrc_ != 0) Reg().by_ssrc.erase(ssrc_);
    Reg().by_ssrc[ssrc] = weak_from_this();
    std::shared_ptr<SeqState>& state = Reg().sequences[ssrc];
    if (!state) {
      state = std::make_shared<SeqState>();
      g_sequences.fetch_add(1);
      MarkNumbered(ssrc, true);
    }
    seq_ = state;
    seq_->forwarding.store(state_.load() == State::kForwarding);
  }
  ssrc_ = ssrc;
  pt_map_ = pt_map;
  primary_pt_ = primary;
  ext_map_ = ext_map;
  clock_khz_ = clock_khz;
  if (state_.load() != State::kForwarding) {
    SetState(State::kForwarding);
    waiting_key_ = true;
    wait_since_ms_ = now_ms;
  }
}

void Target::Tick() {
  const int64_t now = NowMs();
  Resolve(now);
  if (state_.load() != State::kForwarding || !waiting_key_) return;
  if (now - wait_since_ms_ > kKeyFrameWaitMs) {
    Decline("no keyframe in time");  // libwebrtc's path waits for one its own way
    return;
  }
  if (now - asked_ms_ >= kKeyFrameAskMs) {
    asked_ms_ = now;
    tap_->RequestKeyFrame();
  }
}

void Target::Send(const Packet& packet) {
  if (ended()) return;
  const int64_t now = NowMs();
  if (resolved_ms_ < 0) Resolve(now);  // then Tick looks again, every kResolveMs
  if (state_.load() != State::kForwarding) return;
  if (tap_->source()->muted && tap_->source()->muted()) {
    Decline("the track is disabled");  // at once: its next packet is libwebrtc's silence
    return;
  }
  if (!packet.padding && pt_map_[packet.view.payload_type] < 0) {
    // What the publisher sends now is not the sender's codec (another of the negotiated ones).
    Decline("the publisher sends a codec other than the sender's");
    return;
  }
  if (waiting_key_) {
    if (packet.padding || !packet.key_start) {
      if (wait_since_ms_ < 0) wait_since_ms_ = now;
      if (now - asked_ms_ >= kKeyFrameAskMs) {
        asked_ms_ = now;
        tap_->RequestKeyFrame();
      }
      return;
    }
    waiting_key_ = false;
    // Continue the SSRC's numbering (ours or libwebrtc's, a gap of one), or start at random as a
    // sender does.
    // The timestamp goes on the same way, by the time since that packet.
    uint16_t next_seq = static_cast<uint16_t>(rtc::CreateRandomId());
    uint32_t next_ts = rtc::CreateRandomId();
    // Ours: the forwarder's next number and its last timestamp moved on by the time since.
    const bool ours = seq_ && seq_->known.load();
    auto from_ours = [&] {
      next_seq = static_cast<uint16_t>(seq_->next.load());
      next_ts = seq_->last_ts.load() + static_cast<uint32_t>((now - seq_->last_ms.load()) * clock_khz_ + 1);
    };
    uint16_t module_next;
    uint32_t module_ts, module_ms;
    if (ours && seq_->forwarded_last.load()) {
      from_ours();
    } else if (LastSequence(ssrc_, &module_next, &module_ts, &module_ms)) {
      next_seq = static_cast<uint16_t>(module_next + (seq_ ? seq_->delta.load() : 0));
      next_ts = module_ts + (seq_ ? seq_->ts_delta.load() : 0) +
                static_cast<uint32_t>(static_cast<uint32_t>(now - module_ms) * clock_khz_ + 1);
    } else if (ours) {
      from_ours();
    }
    seq_offset_ = static_cast<uint16_t>(next_seq - packet.view.sequence);
    ts_offset_ = next_ts - packet.view.timestamp;
    started_ = true;
    last_in_seq_ = packet.view.sequence;
  }
  Transmit(packet, false);
}

bool Target::Transmit(const Packet& packet, bool resend) {
  cricket::BaseChannel* channel = Channel();
  webrtc::RtpTransportInternal* transport = channel != nullptr ? channel->rtp_transport() : nullptr;
  if (transport == nullptr || !transport->IsWritable(false) || !transport->IsSrtpActive()) return false;
  const int16_t pt = packet.padding ? primary_pt_ : pt_map_[packet.view.payload_type];
  if (pt < 0) return false;
  RewriteFields fields{static_cast<uint8_t>(pt), static_cast<uint16_t>(packet.view.sequence + seq_offset_),
                       packet.view.timestamp + ts_offset_, ssrc_};
  // One buffer per thread, written again for each packet: the transport protects it in place and
  // copies it out (a layer that kept a reference would make the next write copy, as buffers do).
  static thread_local rtc::CopyOnWriteBuffer scratch;
  rtc::CopyOnWriteBuffer& out = scratch;
  if (!RewriteRtp(packet.bytes.cdata(), packet.bytes.size(), packet.view, ext_map_, fields, packet.skip,
                  packet.padding, kSrtpTailRoom, &out))
    return false;
  // No transport-wide sequence number, not in the feedback or the allocation: no sent-packet report
  // (sent quietly below).
  rtc::PacketOptions options;
  if (!resend && TestLoss()) return false;  // tests: lost on the way out
  const size_t payload = packet.padding ? 0 : packet.view.payload_size;
  const size_t header = out.size() - payload;
  QuietSends quiet;  // no sent-packet report to climb the stack for (runtime/quiet_sends.h)
  if (!transport->SendRtpPacket(&out, options, cricket::PF_SRTP_BYPASS)) return false;
  if (resend) {
    g_resent.fetch_add(1, std::memory_order_relaxed);
    if (seq_) {
      seq_->resent_packets.fetch_add(1, std::memory_order_relaxed);
      seq_->resent_bytes.fetch_add(payload, std::memory_order_relaxed);
    }
    return true;
  }
  if (seq_) {
    seq_->packets.fetch_add(1, std::memory_order_relaxed);
    seq_->payload_bytes.fetch_add(payload, std::memory_order_relaxed);
    seq_->header_bytes.fetch_add(header, std::memory_order_relaxed);
    if (packet.codec != ForwardCodec::kAudio && !packet.padding) {
      if (packet.view.marker) seq_->frames.fetch_add(1, std::memory_order_relaxed);
      if (packet.key_start) seq_->key_frames.fetch_add(1, std::memory_order_relaxed);
    }
  }
  g_forwarded.fetch_add(1, std::memory_order_relaxed);
  if (seq_ && static_cast<int16_t>(packet.view.sequence - last_in_seq_) >= 0) {
    seq_->next.store(static_cast<uint16_t>(fields.sequence + 1), std::memory_order_relaxed);
    seq_->last_ts.store(fields.timestamp, std::memory_order_relaxed);
    seq_->last_ms.store(NowMs(), std::memory_order_relaxed);
    seq_->clock_khz.store(clock_khz_, std::memory_order_relaxed);
    seq_->known.store(true, std::memory_order_relaxed);
    seq_->forwarded_last.store(true, std::memory_order_relaxed);
  }
  // Newer in RTP order (a reordered packet does not move the clock back).
  if (static_cast<int16_t>(packet.view.sequence - last_in_seq_) >= 0 || last_ms_ == 0) {
    last_in_seq_ = packet.view.sequence;
    last_seq_ = fields.sequence;
    last_ts_ = fields.timestamp;
    last_ms_ = NowMs();
    std::lock_guard<std::mutex> lock(clock_mu_);
    has_clock_ = true;
    clock_.rtp_timestamp = fields.timestamp;
    clock_.time = webrtc::Clock::GetRealTimeClock()->CurrentTime();
    clock_.payload_type = static_cast<int8_t>(pt);
  }
  return true;
}

bool Target::Nack(const std::vector<uint16_t>& sequence_numbers) {
  if (state_.load() != State::kForwarding || !started_) return false;
  for (uint16_t out_seq : sequence_numbers) {
    Packet packet;
    if (tap_->Find(static_cast<uint16_t>(out_seq - seq_offset_), &packet)) Transmit(packet, true);
  }
  return true;
}

void Forget(const std::shared_ptr<Target>& target) {
  target->End();
  target->Unmark();
  std::shared_ptr<Tap> retired;
  {
    std::lock_guard<std::mutex> lock(Reg().mu);
    for (auto it = Reg().targets.begin(); it != Reg().targets.end(); ++it) {
      if (it->second != target) continue;
      Reg().targets.erase(it);
      break;
    }
    for (auto it = Reg().by_ssrc.begin(); it != Reg().by_ssrc.end();) {
      std::shared_ptr<Target> t = it->second.lock();
      if (!t || t == target) {
        // The sender's connection or transceiver is gone: nothing numbers its SSRC any more.
        if (auto seq = Reg().sequences.find(it->first); seq != Reg().sequences.end()) {
          BindRtxLocked(seq->second, 0);
          MarkNumbered(it->first, false);
          Reg().sequences.erase(seq);
          g_sequences.fetch_sub(1);
        }
        it = Reg().by_ssrc.erase(it);
      } else {
        ++it;
      }
    }
    RegroupLocked(target->tap());
    if (!TapUsedLocked(target->tap())) {
      retired = target->tap();
      Reg().taps.erase(retired->source()->receiver.get());
    }
  }
  if (retired) retired->Retire();
}

}  // namespace

bool RtpForwarder::Enabled() {
  const char* v = std::getenv("NODE_LIBWEBRTC_RTP_FORWARD");
  return v == nullptr || std::strcmp(v, "0") != 0;
}

void RtpForwarder::Bind(const rtc::scoped_refptr<webrtc::RtpSenderInterface>& sender,
                        std::weak_ptr<PeerConnectionShared> pc, rtc::Thread* thread,
                        std::shared_ptr<ForwardSource> source) {
  if (!sender) return;
  std::shared_ptr<Target> old;
  std::shared_ptr<Tap> old_tap;
  std::shared_ptr<Target> made;
  {
    std::lock_guard<std::mutex> lock(Reg().mu);
    auto it = Reg().targets.find(sender.get());
    if (it != Reg().targets.end()) {
      old = it->second;
      Reg().targets.erase(it);
      old->End();
      RegroupLocked(old->tap());
      if (!TapUsedLocked(old->tap())) {  // a tap nobody reads any more leaves
        old_tap = old->tap();
        Reg().taps.erase(old_tap->source()->receiver.get());
      }
    }
    if (source && source->receiver && source->thread != nullptr && thread != nullptr) {
      std::shared_ptr<Tap>& tap = Reg().taps[source->receiver.get()];
      bool fresh = false;
      if (!tap) {  // the tap is per receiver; the gate per sender
        tap = std::make_shared<Tap>(source);
        fresh = true;
      }
      made = std::make_shared<Target>(sender, std::move(pc), thread, tap, source->gate);
      Reg().targets[sender.get()] = made;
      RegroupLocked(tap);
      if (fresh) Tap::ScheduleResolve(tap, 0);
    }
  }
  if (old_tap) old_tap->Retire();
  if (made) Target::ScheduleTick(made, 0);
}

bool RtpForwarder::OnReceived(const cricket::ChannelInterface* channel, const webrtc::RtpPacketReceived& packet) {
  if (g_resolved_taps.load(std::memory_order_relaxed) == 0) return true;
  std::shared_ptr<Tap> tap;
  bool media = false;
  {
    const uint32_t ssrc = packet.Ssrc();
    std::lock_guard<std::mutex> lock(Reg().mu);
    for (const auto& e : Reg().by_channel)
      if (e.channel == channel && e.ssrc == ssrc) {
        tap = e.tap;
        media = e.media;
      }
  }
  if (!tap) return true;
  if (media && TestLoss()) return false;  // lost on the way in: neither forwarded nor received
  tap->OnPacket(packet);
  return true;
}

bool RtpForwarder::OnNack(uint32_t ssrc, const std::vector<uint16_t>& sequence_numbers) {
  std::shared_ptr<Target> t = TargetBySsrc(ssrc);
  return t && t->thread()->IsCurrent() && t->Nack(sequence_numbers);
}

bool RtpForwarder::OnKeyFrameRequest(uint32_t ssrc) {
  std::shared_ptr<Target> t = TargetBySsrc(ssrc);
  if (!t || !t->forwarding()) return false;
  t->tap()->RequestKeyFrame();
  return true;
}

bool RtpForwarder::Clock(uint32_t ssrc, ForwardedClock* out) {
  std::shared_ptr<Target> t = TargetBySsrc(ssrc);
  return t && t->forwarding() && t->Clock(out);
}

namespace {
std::shared_ptr<SeqState> SeqStateOf(uint32_t ssrc, bool* rtx) {
  if (!MaybeNumbered(ssrc)) return nullptr;
  std::lock_guard<std::mutex> lock(Reg().mu);
  auto it = Reg().sequences.find(ssrc);
  if (it != Reg().sequences.end()) {
    *rtx = false;
    return it->second;
  }
  auto r = Reg().rtx_sequences.find(ssrc);
  if (r == Reg().rtx_sequences.end()) return nullptr;
  *rtx = true;
  return r->second;
}
}  // namespace

void RtpForwarder::NoteSequence(uint32_t ssrc, uint32_t rtx_ssrc, uint16_t used, uint32_t timestamp) {
  const int64_t now = NowMs();
  g_last_timestamp[ssrc % kLastSequences].store(static_cast<uint64_t>(timestamp) << 32 | static_cast<uint32_t>(now),
                                                std::memory_order_relaxed);
  g_last_sequence[ssrc % kLastSequences].store(
      static_cast<uint64_t>(ssrc) << 32 | 0x10000 | static_cast<uint16_t>(used + 1), std::memory_order_relaxed);
  if (g_sequences.load(std::memory_order_relaxed) == 0 || !MaybeNumbered(ssrc)) return;
  std::shared_ptr<SeqState> state;
  {
    std::lock_guard<std::mutex> lock(Reg().mu);
    auto it = Reg().sequences.find(ssrc);
    if (it == Reg().sequences.end()) return;
    state = it->second;
    BindRtxLocked(state, rtx_ssrc);
  }
  // The first packet after the forwarder's: it goes out with the forwarder's next number.
  if (state->forwarded_last.exchange(false)) {
    state->delta.store(static_cast<int32_t>(static_cast<uint16_t>(state->next.load() - used)));
    const uint32_t wire_ts =
        state->last_ts.load() + static_cast<uint32_t>((now - state->last_ms.load()) * state->clock_khz.load() + 1);
    state->ts_delta.store(wire_ts - timestamp);
  }
}

void RtpForwarder::OnSending(rtc::CopyOnWriteBuffer* packet) {
  if (g_sequences.load(std::memory_order_relaxed) == 0 || packet->size() < 12) return;
  const uint8_t* d = packet->cdata();
  const uint32_t ssrc = static_cast<uint32_t>(d[8]) << 24 | static_cast<uint32_t>(d[9]) << 16 |
                        static_cast<uint32_t>(d[10]) << 8 | d[11];
  bool rtx = false;
  std::shared_ptr<SeqState> state = SeqStateOf(ssrc, &rtx);
  if (!state) return;
  const uint16_t delta = static_cast<uint16_t>(state->delta.load());
  const uint32_t ts_delta = state->ts_delta.load();
  if (delta == 0 && ts_delta == 0) return;
  RtpView view;
  if (!ReadRtp(d, packet->size(), &view)) return;
  // Media: its number. RTX: the original number its payload starts with (RFC 4588).
  size_t at = 2;
  uint16_t value = view.sequence;
  if (rtx) {
    if (view.payload_size < 2) return;  // RTX padding
    at = view.header_size;
    value = static_cast<uint16_t>(d[at] << 8 | d[at + 1]);
  }
  value = static_cast<uint16_t>(value + delta);
  const uint32_t ts = view.timestamp + ts_delta;
  uint8_t* w = packet->MutableData();
  w[at] = static_cast<uint8_t>(value >> 8);
  w[at + 1] = static_cast<uint8_t>(value);
  w[4] = static_cast<uint8_t>(ts >> 24);
  w[5] = static_cast<uint8_t>(ts >> 16);
  w[6] = static_cast<uint8_t>(ts >> 8);
  w[7] = static_cast<uint8_t>(ts);
}

uint32_t RtpForwarder::TakeReportShift(uint32_t ssrc) {
  if (g_sequences.load(std::memory_order_relaxed) == 0) return 0;
  bool rtx = false;
  std::shared_ptr<SeqState> state = SeqStateOf(ssrc, &rtx);
  if (!state || rtx) return 0;
  const uint32_t now = state->ts_delta.load();
  return now - state->rtcp_ts_delta.exchange(now);
}

uint16_t RtpForwarder::WireDelta(uint32_t ssrc) {
  if (g_sequences.load(std::memory_order_relaxed) == 0) return 0;
  bool rtx = false;
  std::shared_ptr<SeqState> state = SeqStateOf(ssrc, &rtx);
  return state && !rtx ? static_cast<uint16_t>(state->delta.load()) : 0;
}

bool RtpForwarder::Sent(uint32_t ssrc, SentCounts* out) {
  if (g_sequences.load(std::memory_order_relaxed) == 0 || !MaybeNumbered(ssrc)) return false;
  std::shared_ptr<SeqState> state;
  {
    std::lock_guard<std::mutex> lock(Reg().mu);
    auto it = Reg().sequences.find(ssrc);
    if (it == Reg().sequences.end()) return false;
    state = it->second;
  }
  out->packets = state->packets.load();
  out->payload_bytes = state->payload_bytes.load();
  out->header_bytes = state->header_bytes.load();
  out->frames = state->frames.load();
  out->key_frames = state->key_frames.load();
  out->resent_packets = state->resent_packets.load();
  out->resent_bytes = state->resent_bytes.load();
  out->forwarding = state->forwarding.load();
  return out->packets > 0;
}

uint64_t RtpForwarder::forwarded_packets() { return g_forwarded.load(); }
uint64_t RtpForwarder::resent_packets() { return g_resent.load(); }
uint64_t RtpForwarder::forwarding_senders() { return static_cast<uint64_t>(std::max<int64_t>(0, g_forwarding.load())); }

}  // namespace nlw
