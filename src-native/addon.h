// Per-environment addon state (Napi::Addon): context-aware, no static JS references, so one
// binary serves the main thread, every worker_threads Worker and Electron.
#pragma once

#include <napi.h>

#include <atomic>
#include <memory>

#include "bridge/log_sink.h"
#include "runtime/runtime.h"
#include "wrap/certificate.h"

namespace nlw {

class Addon : public Napi::Addon<Addon> {
 public:
  Addon(Napi::Env env, Napi::Object exports);
  ~Addon();

  static Addon* Of(Napi::Env env) { return env.GetInstanceData<Addon>(); }
  const std::shared_ptr<Runtime>& runtime() const { return runtime_; }
  Napi::FunctionReference& data_channel_constructor() { return data_channel_constructor_; }
  Napi::FunctionReference& transceiver_constructor() { return transceiver_constructor_; }
  Napi::FunctionReference& media_stream_track_constructor() { return media_stream_track_constructor_; }
  Napi::FunctionReference& certificate_constructor() { return certificate_constructor_; }
  CertificateThread& certificate_thread() { return certificate_thread_; }
  const std::shared_ptr<std::atomic<int>>& live_certificates() const { return live_certificates_; }

 private:
  Napi::Value Shutdown(const Napi::CallbackInfo& info);
  Napi::Value Versions(const Napi::CallbackInfo& info);
  Napi::Value LiveObjects(const Napi::CallbackInfo& info);
  Napi::Value RelayCounters(const Napi::CallbackInfo& info);
  Napi::Value RtpCapabilities(const Napi::CallbackInfo& info);
  Napi::Value SetLogSink(const Napi::CallbackInfo& info);
  Napi::Value CodecRoundTrip(const Napi::CallbackInfo& info);
  Napi::Value CheckPostBatchWaits(const Napi::CallbackInfo& info);
  Napi::Value CheckCrc32c(const Napi::CallbackInfo& info);

  std::shared_ptr<Runtime> runtime_;
  std::unique_ptr<JsLogSink> log_sink_;  // nonstandard.setLogSink
  Napi::FunctionReference data_channel_constructor_;
  Napi::FunctionReference transceiver_constructor_;
  Napi::FunctionReference media_stream_track_constructor_;
  Napi::FunctionReference certificate_constructor_;
  CertificateThread certificate_thread_;  // RTCPeerConnection.generateCertificate
  std::shared_ptr<std::atomic<int>> live_certificates_ = std::make_shared<std::atomic<int>>(0);
};

}  // namespace nlw
