#include "addon.h"
#include "media/rtp_forwarder.h"

#include <cstdlib>

#include "media/audio_demand.h"
#include "media/codec_round_trip.h"
#include "media/decode_gate.h"
#include "media/forwarding_video_encoder.h"
#include "media/audio_forward_route.h"
#include "media/relay_audio_source.h"
#include "media/relay_video_source.h"
#include "media/simulcast_layers.h"
#include "media/transformer_slots.h"
#include "rtc_base/logging.h"
#include "rtc_base/thread.h"
#include "runtime/network_filter.h"
#include "wrap/data_channel.h"
#include "wrap/encoded_streams.h"
#include "convert/errors.h"
#include "convert/rtp_parameters.h"
#include "wrap/media_stream_track.h"
#include "media/frame_memory.h"
#include "wrap/frame_convert.h"
#include "wrap/track_reader.h"
#include "wrap/track_sinks.h"
#include "wrap/track_sources.h"
#include "wrap/peer_connection.h"
#include "wrap/rtp_transceiver.h"
#include "shims/crc32c_hw.h"

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
  Napi::Function transceiver = RtpTransceiver::Define(env);
  transceiver_constructor_ = Napi::Persistent(transceiver);
  Napi::Function track = MediaStreamTrack::Define(env);
  media_stream_track_constructor_ = Napi::Persistent(track);
  Napi::Function certificate = Certificate::Define(env);
  certificate_constructor_ = Napi::Persistent(certificate);
  DefineAddon(exports, {
      InstanceValue("PeerConnection", PeerConnection::Define(env), napi_enumerable),
      InstanceValue("DataChannel", dc, napi_enumerable),
      InstanceValue("MediaStreamTrack", track, napi_enumerable),
      InstanceValue("Certificate", certificate, napi_enumerable),
      InstanceValue("TrackSink", TrackSink::Define(env), napi_enumerable),
      InstanceValue("TrackReader", TrackReader::Define(env), napi_enumerable),
      InstanceValue("convertFrame", Napi::Function::New(env, &ConvertFrame, "convertFrame"), napi_enumerable),
      InstanceValue("detachArrayBuffer", Napi::Function::New(env, &DetachArrayBuffer, "detachArrayBuffer"),
                    napi_enumerable),
      InstanceValue("i420Memory", Napi::Function::New(env, &NewI420Memory, "i420Memory"), napi_enumerable),
      InstanceValue("VideoSource", VideoSource::Define(env), napi_enumerable),
      InstanceValue("AudioSource", AudioSource::Define(env), napi_enumerable),
      InstanceValue("EncodedStreams", EncodedStreams::Define(env), napi_enumerable),
      InstanceValue("TransformListener", TransformListener::Define(env), napi_enumerable),
      InstanceValue("i420ToRgba", Napi::Function::New(env, &I420ToRgba, "i420ToRgba"), napi_enumerable),
      InstanceValue("rgbaToI420", Napi::Function::New(env, &RgbaToI420, "rgbaToI420"), napi_enumerable),
      InstanceValue("createSyntheticVideoTrack",
                    Napi::Function::New(env, &MediaStreamTrack::CreateSyntheticVideoTrack, "createSyntheticVideoTrack"),
                    napi_enumerable),
      InstanceValue("createSyntheticAudioTrack",
                    Napi::Function::New(env, &MediaStreamTrack::CreateSyntheticAudioTrack, "createSyntheticAudioTrack"),
                    napi_enumerable),
      InstanceMethod("shutdown", &Addon::Shutdown),
      InstanceMethod("versions", &Addon::Versions),
      InstanceMethod("liveObjects", &Addon::LiveObjects),
      InstanceMethod("relayCounters", &Addon::RelayCounters),
      InstanceMethod("checkPostBatchWaits", &Addon::CheckPostBatchWaits),
      InstanceMethod("checkCrc32c", &Addon::CheckCrc32c),
      InstanceMethod("rtpCapabilities", &Addon::RtpCapabilities),
      InstanceMethod("setLogSink", &Addon::SetLogSink),
      InstanceMethod("codecRoundTrip", &Addon::CodecRoundTrip),
  });
  // Runs before Node tears the environment down (worker exit, Worker.terminate(), normal exit).
  // process.exit() on the main thread skips cleanup hooks: lib/native.ts calls shutdown() from
  // the process 'exit' event for that case.
  std::weak_ptr<Runtime> weak = runtime_;
  env.AddCleanupHook([this, weak] {
    log_sink_.reset();
    certificate_thread_.Stop();
    if (auto rt = weak.lock()) rt->Shutdown();
  });
}

Addon::~Addon() {
  log_sink_.reset();
  certificate_thread_.Stop();
  runtime_->Shutdown();
}

// shutdown(processExiting?: boolean)
Napi::Value Addon::Shutdown(const Napi::CallbackInfo& info) {
  log_sink_.reset();
  certificate_thread_.Stop();
  runtime_->Shutdown(info.Length() > 0 && info[0].ToBoolean().Value());
  return info.Env().Undefined();
}

Napi::Value Addon::Versions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("libwebrtc", "tg_owt 0~git20230105 (Debian libtgowt-dev, libwebrtc M108)");
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
  // Native transceivers (with their sender and receiver) not yet released: close() or GC.
  o.Set("rtpTransceivers", static_cast<double>(runtime_->live_transceivers()));
  // Non-standard RTCVideoSource / RTCAudioSource wrappers not yet released (GC or shutdown).
  o.Set("trackSources", static_cast<double>(runtime_->live_sources()));
  // RTCVideoSink / RTCAudioSink and MediaStreamTrackProcessor readers not yet released.
  o.Set("trackSinks", static_cast<double>(runtime_->live_sinks()));
  // Process-wide: decoded frames and samples lent to JS (VideoFrame/AudioData) not yet given back.
  o.Set("lentMediaBuffers", static_cast<double>(LentFrameBuffers()));
  // RTCCertificate objects not yet collected (each holds a key pair; no thread, no timer).
  o.Set("certificates", static_cast<double>(live_certificates_->load()));
  // Process-wide, and destroyed on the signaling thread after close(): callers poll it.
  o.Set("libwebrtcPeerConnections", static_cast<double>(LiveFilteredPortAllocators()));
  // This environment's; the long timers of closed connections are dropped on the network thread
  // soon after their close has run.
  o.Set("longTimers", static_cast<double>(runtime_->pending_long_timers()));
  // Process-wide: relay sources of remote video tracks sent on (media/relay_video_source.h), alive
  // until the track is released and the last sender and frame using them are gone.
  o.Set("relaySources", static_cast<double>(RelayVideoSource::live()));
  // Process-wide: relay sources of remote audio tracks sent on with forwarding, and the forwarding
  // routes of audio senders (media/relay_audio_source.h, media/audio_forward_route.h).
  o.Set("relayAudioSources", static_cast<double>(RelayAudioSource::live()));
  o.Set("audioForwardRoutes", static_cast<double>(AudioForwardRoute::live()));
  // Process-wide: decode gates of remote video tracks (media/decode_gate.h), alive until the track
  // is released and its decode thread has ended.
  o.Set("decodeGates", static_cast<double>(DecodeGate::live()));
  // Process-wide: the watchers of simulcast layers received with receiveSimulcast (media/simulcast_layers.h),
  // alive until their transceiver stops or their track ends.
  o.Set("simulcastLayers", static_cast<double>(SimulcastLayers::live()));
  // Process-wide: the decode demand of remote audio tracks (media/audio_demand.h), alive while
  // the track is wrapped or read.
  o.Set("audioDemands", static_cast<double>(AudioDemand::live()));
  // Process-wide: senders and receivers whose frame transformer is ours or the application's
  // (media/transformer_slots.h), until libwebrtc drops the transformer.
  o.Set("transformerSlots", static_cast<double>(TransformerSlots::Count()));
  return o;
}

// relayCounters() -> process-wide counts of the relay's encoders (media/forwarding_video_encoder.h)
Napi::Value Addon::RelayCounters(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  nlw::RelayCounters c = ReadRelayCounters();
  Napi::Object o = Napi::Object::New(env);
  o.Set("forwardedFrames", static_cast<double>(c.forwarded_frames));
  o.Set("encodedFrames", static_cast<double>(c.encoded_frames));
  o.Set("transcodedFrames", static_cast<double>(c.transcoded_frames));
  o.Set("droppedFrames", static_cast<double>(c.dropped_frames));
  o.Set("recoveredFrames", static_cast<double>(c.recovered_frames));
  o.Set("layerSwitches", static_cast<double>(c.layer_switches));
  o.Set("layerPictures", static_cast<double>(RelayVideoSource::layer_pictures()));
  o.Set("keyFrameRequests", static_cast<double>(RelayVideoSource::keyframe_requests()));
  o.Set("relayedPictures", static_cast<double>(RelayVideoSource::relayed_pictures()));
  o.Set("resubscribes", static_cast<double>(RelayVideoSource::resubscribes()));
  o.Set("rtpForwardedPackets", static_cast<double>(RtpForwarder::forwarded_packets()));
  o.Set("rtpResentPackets", static_cast<double>(RtpForwarder::resent_packets()));
  o.Set("rtpForwardingSenders", static_cast<double>(RtpForwarder::forwarding_senders()));
  // Opus packets of publishers sent on unchanged (media/audio_forward_route.h).
  o.Set("forwardedAudioPackets", static_cast<double>(AudioForwardRoute::forwarded_packets()));
  // Remote video pictures decoded and left undecoded (nobody took pictures: media/decode_gate.h).
  o.Set("decodedFrames", static_cast<double>(DecodeGate::decoded()));
  o.Set("undecodedFrames", static_cast<double>(DecodeGate::skipped()));
  return o;
}

// checkPostBatchWaits() -> "" or the waits that did not end (runtime/post_batch_check.h; tests).
Napi::Value Addon::CheckPostBatchWaits(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), runtime_->CheckPostBatchWaits());
}

// checkCrc32c() -> "" or where the SCTP checksum's fast path differs from the table (tests).
Napi::Value Addon::CheckCrc32c(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), nlw::CheckCrc32c());
}

// rtpCapabilities(kind, 'sender' | 'receiver') -> RTCRtpCapabilities | null
Napi::Value Addon::RtpCapabilities(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string kind = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  bool sender = info.Length() > 1 && info[1].IsString() && info[1].As<Napi::String>().Utf8Value() == "sender";
  cricket::MediaType type;
  if (kind == "audio") type = cricket::MEDIA_TYPE_AUDIO;
  else if (kind == "video") type = cricket::MEDIA_TYPE_VIDEO;
  else return env.Null();
  std::string error;
  auto factory = runtime_->MediaFactory(&error);
  if (!factory) {
    ThrowError(env, ErrorValue::Named("OperationError", error));
    return env.Undefined();
  }
  return RtpCapabilitiesToJs(env, sender ? factory->GetRtpSenderCapabilities(type)
                                         : factory->GetRtpReceiverCapabilities(type));
}

// codecRoundTrip(codec: string, skipKeyFrame?: boolean): our encoder factory's first format of
// that name, 320x240, 30 frames encoded and decoded by our decoder factory, on this thread (a few
// ms; for tests, until tracks can carry video between two peers).
Napi::Value Addon::CodecRoundTrip(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const CodecRoundTripResult r = RunCodecRoundTrip(info[0].ToString().Utf8Value(), 320, 240, 30,
                                                   info.Length() > 1 && info[1].ToBoolean());
  Napi::Object o = Napi::Object::New(env);
  if (!r.error.empty()) o.Set("error", r.error);
  o.Set("format", r.format);
  o.Set("encoder", r.encoder);
  o.Set("decoder", r.decoder);
  o.Set("framesEncoded", r.frames_encoded);
  o.Set("keyFrames", r.key_frames);
  o.Set("framesDecoded", r.frames_decoded);
  o.Set("decodeErrors", r.decode_errors);
  o.Set("width", r.width);
  o.Set("height", r.height);
  o.Set("minPsnr", r.min_psnr);
  return o;
}

// setLogSink(level, fn | null): libwebrtc's log lines at `level` and above to fn(severity, line).
Napi::Value Addon::SetLogSink(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  log_sink_.reset();
  if (info.Length() < 2 || !info[1].IsFunction()) return env.Undefined();
  rtc::LoggingSeverity severity;
  if (!info[0].IsString() || !LogSeverityFromName(info[0].As<Napi::String>().Utf8Value(), &severity)) {
    Napi::TypeError::New(env, "level must be 'verbose', 'info', 'warning', 'error' or 'none'").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (severity == rtc::LS_NONE) return env.Undefined();
  log_sink_ = std::make_unique<JsLogSink>(runtime_->dispatcher(), info[1].As<Napi::Function>(), severity);
  return env.Undefined();
}

}  // namespace nlw

using nlw::Addon;
NODE_API_ADDON(Addon)
