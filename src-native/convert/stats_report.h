// libwebrtc's RTCStatsReport -> a plain structure (any thread) -> JS objects (JS thread).
// The structure owns everything it holds: it is read on the signaling thread, crosses the
// dispatcher once, and becomes `{ id, type, timestamp, ...members }` objects on the JS thread.
// What a browser shows is what is kept: members libwebrtc marks non-standard (but those the spec
// adopted since), members left undefined, and the obsolete "track"/"stream" types (and `trackId`,
// which names them) are dropped.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "api/stats/rtc_stats_report.h"

namespace nlw {

// One member's value as JS will see it: every integer type becomes a number.
using StatsValue = std::variant<bool, double, std::string, std::vector<bool>, std::vector<double>,
                                std::vector<std::string>, std::vector<std::pair<std::string, double>>>;

struct StatsMember {
  const char* name;  // libwebrtc's member names are string literals
  StatsValue value;
  // A time in milliseconds on rtc::TimeMicros's clock (lastPacketReceivedTimestamp...): JS sees
  // it on the performance.timeOrigin clock, as `timestamp`.
  bool monotonic_ms = false;
};

struct StatsEntry {
  std::string id;
  const char* type;
  // Microseconds on rtc::TimeMicros's clock (the monotonic clock Node's performance.now() uses).
  int64_t timestamp_us;
  std::vector<StatsMember> members;

  // The member `name` if it is a number, else null.
  double* Number(const char* name);
  const std::string* String(const char* name) const;
};

struct StatsReportValue {
  std::vector<StatsEntry> entries;

  // Any thread. `report` may be null (an empty report).
  static StatsReportValue From(const webrtc::RTCStatsReport* report);
  // JS thread: an array of plain stats objects; `time_origin_ms` turns rtc::TimeMicros into
  // performance.timeOrigin-based milliseconds (timeOrigin + now() - monotonic now, in ms).
  Napi::Array ToJs(Napi::Env env, double time_origin_ms) const;
};

}  // namespace nlw
