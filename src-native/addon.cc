#include "addon.h"

#include <cstdlib>

#include "rtc_base/logging.h"
#include "rtc_base/thread.h"
#include "runtime/network_filter.h"
#include "wrap/data_channel.h"
#include "wrap/media_stream_track.h"
#include "wrap/track_sinks.h"
#include "wrap/peer_connection.h"

namespace nlw {

Addon::Addon(Napi::Env env, Napi::Object exports) : runtime_(std::make_shared<Runtime>(env)) {
  // libwebrtc logs nothing unless asked (NODE_LIBWEBRTC_LOG=verbose|info|warning|error).
  const char* level = std::getenv("NODE_LIBWEBRTC_LOG");
  rtc::LoggingSeverity sev = rtc::LS_NONE;
  if (level != nullptr) {
    std::string l(level);
    sev = l == "verbose" ? rtc::LS_VERBOSE : l == "info" ? rtc::LS_INFO
        : l == "warning" ? rtc::LS_WARNING : rtc::LS_ERROR;
  }
  rtc::LogMessage::LogToDebug(sev);
  if (sev != rtc::LS_NONE) {
    // Which thread and when: what the log is read for (ordering across libwebrtc's threads).
    rtc::LogMessage::LogTimestamps(true);
    rtc::LogMessage::LogThreads(true);
  }

  Napi::Function dc = DataChannel::Define(env);
  data_channel_constructor_ = Napi::Persistent(dc);
  Napi::Function track = MediaStreamTrack::Define(env);
  media_stream_track_constructor_ = Napi::Persistent(track);
  DefineAddon(exports, {
      InstanceValue("PeerConnection", PeerConnection::Define(env), napi_enumerable),
      InstanceValue("DataChannel", dc, napi_enumerable),
      InstanceValue("MediaStreamTrack", track, napi_enumerable),
      InstanceValue("TrackSink", TrackSink::Define(env), napi_enumerable),
      InstanceValue("createSyntheticVideoTrack",
                    Napi::Function::New(env, &MediaStreamTrack::CreateSyntheticVideoTrack, "createSyntheticVideoTrack"),
                    napi_enumerable),
      InstanceValue("createSyntheticAudioTrack",
                    Napi::Function::New(env, &MediaStreamTrack::CreateSyntheticAudioTrack, "createSyntheticAudioTrack"),
                    napi_enumerable),
      InstanceMethod("shutdown", &Addon::Shutdown),
      InstanceMethod("versions", &Addon::Versions),
      InstanceMethod("liveObjects", &Addon::LiveObjects),
  });
  // Runs before Node tears the environment down (worker exit, Worker.terminate(), normal exit).
  // process.exit() on the main thread skips cleanup hooks: lib/native.ts calls shutdown() from
  // the process 'exit' event for that case.
  std::weak_ptr<Runtime> weak = runtime_;
  env.AddCleanupHook([weak] {
    if (auto rt = weak.lock()) rt->Shutdown();
  });
}

Addon::~Addon() { runtime_->Shutdown(); }

// shutdown(processExiting?: boolean)
Napi::Value Addon::Shutdown(const Napi::CallbackInfo& info) {
  runtime_->Shutdown(info.Length() > 0 && info[0].ToBoolean().Value());
  return info.Env().Undefined();
}

Napi::Value Addon::Versions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("libwebrtc", "tg_owt 0~git20230105 (Debian libtgowt-dev, libwebrtc M110)");
  o.Set("napi", NAPI_VERSION);
  return o;
}

// Native connections and channels of this environment that still hold libwebrtc objects: what
// close() and garbage collection release (tests use it to prove the release, not just the GC).
Napi::Value Addon::LiveObjects(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("peerConnections", static_cast<double>(runtime_->live_connections()));
  o.Set("dataChannels", static_cast<double>(runtime_->live_channels()));
  // Native tracks not yet released (stop() keeps the track, GC or shutdown releases it).
  o.Set("mediaStreamTracks", static_cast<double>(runtime_->live_tracks()));
  // Process-wide, and destroyed on the signaling thread after close(): callers poll it.
  o.Set("libwebrtcPeerConnections", static_cast<double>(LiveFilteredPortAllocators()));
  // This environment's; the long timers of closed connections are dropped on the network thread
  // soon after their close has run.
  o.Set("longTimers", static_cast<double>(runtime_->pending_long_timers()));
  return o;
}

}  // namespace nlw

using nlw::Addon;
NODE_API_ADDON(Addon)
