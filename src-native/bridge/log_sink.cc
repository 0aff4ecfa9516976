#include "bridge/log_sink.h"

namespace nlw {

bool LogSeverityFromName(const std::string& name, rtc::LoggingSeverity* out) {
  if (name == "verbose") *out = rtc::LS_VERBOSE;
  else if (name == "info") *out = rtc::LS_INFO;
  else if (name == "warning") *out = rtc::LS_WARNING;
  else if (name == "error") *out = rtc::LS_ERROR;
  else if (name == "none") *out = rtc::LS_NONE;
  else return false;
  return true;
}

const char* LogSeverityName(rtc::LoggingSeverity s) {
  switch (s) {
    case rtc::LS_VERBOSE: return "verbose";
    case rtc::LS_INFO: return "info";
    case rtc::LS_WARNING: return "warning";
    case rtc::LS_ERROR: return "error";
    default: return "none";
  }
}

JsLogSink::JsLogSink(std::shared_ptr<Dispatcher> dispatcher, Napi::Function fn, rtc::LoggingSeverity severity)
    : dispatcher_(std::move(dispatcher)), fn_(Napi::Persistent(fn)), self_(std::make_shared<JsLogSink*>(this)) {
  rtc::LogMessage::AddLogToStream(this, severity);
}

JsLogSink::~JsLogSink() {
  rtc::LogMessage::RemoveLogToStream(this);
  *self_ = nullptr;
}

void JsLogSink::OnLogMessage(const std::string& message, rtc::LoggingSeverity severity) {
  Push(severity, message);
}

void JsLogSink::OnLogMessage(absl::string_view message, rtc::LoggingSeverity severity) {
  Push(severity, std::string(message));
}

void JsLogSink::OnLogMessage(const std::string& message) { Push(rtc::LS_INFO, message); }

void JsLogSink::Push(rtc::LoggingSeverity severity, std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  bool schedule = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() >= kMaxQueued) {
      dropped_++;
      return;
    }
    queue_.push_back({severity, std::move(text)});
    schedule = !scheduled_;
    scheduled_ = true;
  }
  if (!schedule) return;
  dispatcher_->Post([self = self_](Napi::Env env) {
    if (JsLogSink* sink = *self) sink->Drain(env);
  });
}

void JsLogSink::Drain(Napi::Env env) {
  std::vector<Line> lines;
  size_t dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    lines.swap(queue_);
    dropped = dropped_;
    dropped_ = 0;
    scheduled_ = false;
  }
  for (const Line& line : lines) {
    if (*self_ == nullptr || fn_.IsEmpty()) return;  // setLogSink(null) from a callback
    fn_.Call({Napi::String::New(env, LogSeverityName(line.severity)), Napi::String::New(env, line.text)});
    if (env.IsExceptionPending()) return;  // reported by the dispatcher, as any callback error
  }
  if (dropped > 0 && *self_ != nullptr && !fn_.IsEmpty()) {
    fn_.Call({Napi::String::New(env, "warning"),
              Napi::String::New(env, "node-libwebrtc: " + std::to_string(dropped) + " log lines dropped (JS thread behind)")});
  }
}

}  // namespace nlw
