#include "convert/stats_report.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "api/stats/rtc_stats.h"
#include "media/audio_forward_route.h"
#include "media/rtp_forwarder.h"
#include "rtc_base/time_utils.h"

namespace nlw {

namespace {

using Member = webrtc::RTCStatsMemberInterface;

// webrtc-stats dropped these types (Chromium no longer reports them), and the member naming them.
// (The obsolete `mediaType` stays: Chromium 156 still reports it beside `kind`.)
bool ObsoleteType(const char* type) { return strcmp(type, "track") == 0 || strcmp(type, "stream") == 0; }
bool ObsoleteMember(const char* name) { return strcmp(name, "trackId") == 0; }

// Members this libwebrtc marks non-standard that webrtc-stats (and Chromium) adopted since.
bool AdoptedMember(const char* name) {
  return strcmp(name, "totalAssemblyTime") == 0 || strcmp(name, "framesAssembledFromMultiplePackets") == 0;
}

// Members that hold a local time in milliseconds (webrtc-stats: DOMHighResTimeStamp).
bool LocalTimeMember(const char* name) {
  return strcmp(name, "lastPacketReceivedTimestamp") == 0 || strcmp(name, "lastPacketSentTimestamp") == 0;
}

// libwebrtc stamps with two clocks: rtc::TimeMicros (monotonic: most local times) and
// rtc::TimeUTCMicros (the report's own timestamp in this version, RTCP report times). Both are
// read now; a time is taken to be on the clock it is nearer to (they are decades apart), and
// moved onto the monotonic one, which Node's performance.now() also reads.
struct Clocks {
  int64_t mono = rtc::TimeMicros();
  int64_t utc = rtc::TimeUTCMicros();
  int64_t ToMonotonic(int64_t us) const {
    return std::llabs(us - utc) < std::llabs(us - mono) ? us - utc + mono : us;
  }
};

template <typename T>
std::vector<double> Numbers(const Member& m) {
  const auto& v = *m.cast_to<webrtc::RTCStatsMember<std::vector<T>>>();
  return std::vector<double>(v.begin(), v.end());
}

template <typename T>
std::vector<std::pair<std::string, double>> NumberMap(const Member& m) {
  const auto& v = *m.cast_to<webrtc::RTCStatsMember<std::map<std::string, T>>>();
  std::vector<std::pair<std::string, double>> out;
  out.reserve(v.size());
  for (const auto& [k, n] : v) out.emplace_back(k, static_cast<double>(n));
  return out;
}

template <typename T>
double Num(const Member& m) {
  return static_cast<double>(*m.cast_to<webrtc::RTCStatsMember<T>>());
}

StatsValue ValueOf(const Member& m) {
  switch (m.type()) {
    case Member::kBool: return *m.cast_to<webrtc::RTCStatsMember<bool>>();
    case Member::kInt32: return Num<int32_t>(m);
    case Member::kUint32: return Num<uint32_t>(m);
    case Member::kInt64: return Num<int64_t>(m);
    case Member::kUint64: return Num<uint64_t>(m);
    case Member::kDouble: return Num<double>(m);
    case Member::kString: return *m.cast_to<webrtc::RTCStatsMember<std::string>>();
    case Member::kSequenceBool: return *m.cast_to<webrtc::RTCStatsMember<std::vector<bool>>>();
    case Member::kSequenceInt32: return Numbers<int32_t>(m);
    case Member::kSequenceUint32: return Numbers<uint32_t>(m);
    case Member::kSequenceInt64: return Numbers<int64_t>(m);
    case Member::kSequenceUint64: return Numbers<uint64_t>(m);
    case Member::kSequenceDouble: return Numbers<double>(m);
    case Member::kSequenceString: return *m.cast_to<webrtc::RTCStatsMember<std::vector<std::string>>>();
    case Member::kMapStringUint64: return NumberMap<uint64_t>(m);
    case Member::kMapStringDouble: return NumberMap<double>(m);
  }
  return false;
}

napi_value Js(napi_env env, const std::string& s) {
  napi_value v;
  napi_create_string_utf8(env, s.data(), s.size(), &v);
  return v;
}

napi_value Js(napi_env env, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  return v;
}

napi_value Js(napi_env env, bool b) {
  napi_value v;
  napi_get_boolean(env, b, &v);
  return v;
}

template <typename T>
napi_value JsArray(napi_env env, const std::vector<T>& list) {
  napi_value a;
  napi_create_array_with_length(env, list.size(), &a);
  for (size_t i = 0; i < list.size(); i++) napi_set_element(env, a, i, Js(env, static_cast<T>(list[i])));
  return a;
}

napi_value ValueToJs(napi_env env, const StatsValue& value) {
  struct Visitor {
    napi_env env;
    napi_value operator()(bool b) const { return Js(env, b); }
    napi_value operator()(double d) const { return Js(env, d); }
    napi_value operator()(const std::string& s) const { return Js(env, s); }
    napi_value operator()(const std::vector<bool>& l) const { return JsArray(env, l); }
    napi_value operator()(const std::vector<double>& l) const { return JsArray(env, l); }
    napi_value operator()(const std::vector<std::string>& l) const { return JsArray(env, l); }
    napi_value operator()(const std::vector<std::pair<std::string, double>>& map) const {
      napi_value o;
      napi_create_object(env, &o);
      for (const auto& [k, n] : map) napi_set_property(env, o, Js(env, k), Js(env, n));
      return o;
    }
  };
  return std::visit(Visitor{env}, value);
}

}  // namespace

double* StatsEntry::Number(const char* name) {
  for (auto& m : members) {
    if (strcmp(m.name, name) == 0) return std::get_if<double>(&m.value);
  }
  return nullptr;
}

const std::string* StatsEntry::String(const char* name) const {
  for (const auto& m : members) {
    if (strcmp(m.name, name) == 0) return std::get_if<std::string>(&m.value);
  }
  return nullptr;
}

StatsReportValue StatsReportValue::From(const webrtc::RTCStatsReport* report) {
  StatsReportValue out;
  if (report == nullptr) return out;
  Clocks clocks;
  out.entries.reserve(report->size());
  for (const webrtc::RTCStats& stats : *report) {
    if (ObsoleteType(stats.type())) continue;
    StatsEntry& e = out.entries.emplace_back();
    e.id = stats.id();
    e.type = stats.type();
    e.timestamp_us = clocks.ToMonotonic(stats.timestamp_us());
    std::vector<const Member*> members = stats.Members();
    e.members.reserve(members.size());
    for (const Member* m : members) {
      if (!m->is_defined() || (!m->is_standardized() && !AdoptedMember(m->name())) || ObsoleteMember(m->name())) continue;
      StatsMember& sm = e.members.emplace_back(StatsMember{m->name(), ValueOf(*m)});
      // (Within a few centuries of either clock's zero: the conversion to integer stays defined.)
      if (double* ms = std::get_if<double>(&sm.value);
          ms != nullptr && LocalTimeMember(sm.name) && std::fabs(*ms) < 1e13) {
        *ms = static_cast<double>(clocks.ToMonotonic(static_cast<int64_t>(*ms * 1000))) / 1000;
        sm.monotonic_ms = true;
      }
    }
    // libwebrtc has no encoderImplementation for audio: a relayed Opus stream passed through says
    // so, as a forwarded video stream does (media/audio_forward_route.h).
    if (strcmp(e.type, "outbound-rtp") == 0) {
      const std::string* kind = e.String("kind");
      const double* ssrc = e.Number("ssrc");
      if (kind != nullptr && *kind == "audio" && ssrc != nullptr && e.String("encoderImplementation") == nullptr &&
          AudioForwardRoute::ForwardsSsrc(static_cast<uint32_t>(*ssrc))) {
        e.members.push_back(StatsMember{"encoderImplementation", std::string("forward")});
      }
      // RTP forwarding (media/rtp_forwarder.h) sends beside libwebrtc's path, which counts none
      // of it: its counts are added to libwebrtc's.
      RtpForwarder::SentCounts sent;
      if (ssrc != nullptr && RtpForwarder::Sent(static_cast<uint32_t>(*ssrc), &sent)) {
        const bool video = kind != nullptr && *kind == "video";
        auto add = [&](const char* name, uint64_t n) {
          if (double* v = e.Number(name)) *v += static_cast<double>(n);
          else e.members.push_back(StatsMember{name, static_cast<double>(n)});
        };
        add("packetsSent", sent.packets);
        add("bytesSent", sent.payload_bytes);
        add("headerBytesSent", sent.header_bytes);
        add("retransmittedPacketsSent", sent.resent_packets);
        add("retransmittedBytesSent", sent.resent_bytes);
        if (video) {
          add("framesSent", sent.frames);
          add("framesEncoded", sent.frames);
          add("keyFramesEncoded", sent.key_frames);
        }
        if (sent.forwarding) {
          bool set = false;
          for (auto& m : e.members)
            if (strcmp(m.name, "encoderImplementation") == 0) {
              m.value = std::string("forward");
              set = true;
            }
          if (!set) e.members.push_back(StatsMember{"encoderImplementation", std::string("forward")});
        }
      }
    }
  }
  return out;
}

Napi::Array StatsReportValue::ToJs(Napi::Env env, double time_origin_ms) const {
  napi_env e = env;
  Napi::Array out = Napi::Array::New(env, entries.size());
  for (size_t i = 0; i < entries.size(); i++) {
    const StatsEntry& entry = entries[i];
    napi_value o;
    napi_create_object(e, &o);
    napi_set_named_property(e, o, "id", Js(e, entry.id));
    napi_set_named_property(e, o, "type", Js(e, std::string(entry.type)));
    napi_set_named_property(e, o, "timestamp",
                            Js(e, time_origin_ms + static_cast<double>(entry.timestamp_us) / 1000));
    for (const StatsMember& m : entry.members) {
      napi_value v = m.monotonic_ms ? Js(e, time_origin_ms + std::get<double>(m.value)) : ValueToJs(e, m.value);
      napi_set_named_property(e, o, m.name, v);
    }
    napi_set_element(e, out, i, o);
  }
  return out;
}

}  // namespace nlw
