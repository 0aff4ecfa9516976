// nonstandard.setLogSink(level, fn): libwebrtc's log lines to a JS function. Lines come from any
// libwebrtc thread; they are queued under a short lock (no wait on JS) and handed over in batches,
// one dispatcher task per batch.
#pragma once

#include <napi.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bridge/dispatcher.h"
#include "rtc_base/logging.h"

namespace nlw {

class JsLogSink : public rtc::LogSink {
 public:
  // JS thread. Installs itself into libwebrtc's logging at `severity`.
  JsLogSink(std::shared_ptr<Dispatcher> dispatcher, Napi::Function fn, rtc::LoggingSeverity severity);
  // JS thread. Uninstalls (libwebrtc holds its logging lock while it calls sinks, so no call is in
  // flight once this returns).
  ~JsLogSink() override;

  void OnLogMessage(const std::string& message, rtc::LoggingSeverity severity) override;
  void OnLogMessage(absl::string_view message, rtc::LoggingSeverity severity) override;
  void OnLogMessage(const std::string& message) override;

 private:
  struct Line {
    rtc::LoggingSeverity severity;
    std::string text;
  };
  // Lines beyond this wait for the next batch are dropped (and counted): a JS thread that cannot
  // keep up must not grow memory without bound.
  static constexpr size_t kMaxQueued = 10000;
  void Push(rtc::LoggingSeverity severity, std::string text);
  void Drain(Napi::Env env);

  std::shared_ptr<Dispatcher> dispatcher_;
  Napi::FunctionReference fn_;  // JS thread
  std::shared_ptr<JsLogSink*> self_;  // what queued tasks hold: cleared by the destructor
  std::mutex mu_;
  std::vector<Line> queue_;  // under mu_
  bool scheduled_ = false;   // under mu_
  size_t dropped_ = 0;       // under mu_
};

// "verbose" | "info" | "warning" | "error" | "none" -> severity; false if unknown.
bool LogSeverityFromName(const std::string& name, rtc::LoggingSeverity* out);
const char* LogSeverityName(rtc::LoggingSeverity s);

}  // namespace nlw
