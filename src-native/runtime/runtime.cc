#include "runtime/runtime.h"

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/call/call_factory_interface.h"
#include "api/create_peerconnection_factory.h"
#include "api/rtc_event_log/rtc_event_log_factory.h"
#include "api/task_queue/default_task_queue_factory.h"
#include "api/transport/field_trial_based_config.h"
#include "system_wrappers/include/field_trial.h"
#include "api/units/timestamp.h"
#include "media/engine/webrtc_media_engine.h"
#include "p2p/base/basic_packet_socket_factory.h"
#include "rtc_base/event.h"
#include "rtc_base/network.h"
#include "rtc_base/ssl_adapter.h"
#include "rtc_base/thread.h"
#include "rtc_base/time_utils.h"
#include "media/demand_audio_mixer.h"
#include "media/neteq_factory.h"
#include "media/headless_audio_device.h"
#include "runtime/codec_factories.h"
#include "runtime/network_thread.h"
#include "runtime/post_batch_check.h"
#include "runtime/sctp_factory.h"
#include "rtc_base/physical_socket_server.h"
#include "runtime/udp_socket_factory.h"
#include "runtime/shared_task_queues.h"
#include "runtime/srtp_crypto.h"
#include "media/gated_video_decoder.h"

namespace nlw {

namespace {

// How long an exiting process waits for its connections to close (see Shutdown).
constexpr webrtc::TimeDelta kExitBudget = webrtc::TimeDelta::Millis(150);

// Task queues shared by the connections of one runtime: the runtime owns the pool (it must stop
// the threads itself, also when an exiting process abandons the factory); libwebrtc gets this
// non-owning view.
class TaskQueueFactoryView : public webrtc::TaskQueueFactory {
 public:
  explicit TaskQueueFactoryView(const webrtc::TaskQueueFactory* target) : target_(target) {}
  std::unique_ptr<webrtc::TaskQueueBase, webrtc::TaskQueueDeleter> CreateTaskQueue(
      absl::string_view name, Priority priority) const override {
    return target_->CreateTaskQueue(name, priority);
  }

 private:
  const webrtc::TaskQueueFactory* const target_;
};

// Pool threads for the per-connection task queues of one runtime (shared_task_queues.h).
constexpr size_t kTaskQueueThreads = 2;

// Pool threads for the senders' encoder queues (shared_task_queues.h): one per core, 1 to 4.
// Audio: enough for the encodes of hundreds of streams. Video: shared while the senders forward
// (relayed pictures); a queue whose encoder encodes pixels moves to a thread of its own. `env`
// (NODE_LIBWEBRTC_AUDIO_ENCODER_THREADS, NODE_LIBWEBRTC_VIDEO_ENCODER_THREADS) overrides it; 0
// gives every encoder a thread of its own from the start (libwebrtc's default), for comparisons.
size_t EncoderPoolThreads(const char* env) {
  if (const char* v = getenv(env); v && *v) {
    long n = strtol(v, nullptr, 10);
    if (n >= 0 && n <= 64) return static_cast<size_t>(n);
  }
  return std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 4);
}

// Shard threads per runtime unless NODE_LIBWEBRTC_NETWORK_THREADS says otherwise: one per core
// but one (the JS thread keeps a core busy of its own), at least one and up to this many. Each is
// started when the first connection is placed on it. On 2 cores a second shard thread gained no
// throughput (85-112 MB/s either way) and cost setup time: a pair set up across two threads trades
// every packet between them (setup median 7.35 ms with two, 6.35 with one; bench/RESULTS.md).
constexpr size_t kMaxDefaultNetworkThreads = 4;

// libwebrtc's field trials for the process (read by FieldTrialBasedConfig). The pacer may send up
// to 40 ms of its rate at once (what later libwebrtc does by default: PacingController's burst
// interval): a frame's packets leave in one wake-up of the pacer instead of one every few
// milliseconds, and a relay runs a pacer per subscriber. `WebRTC-SendPacketsOnWorkerThread/Enabled/`
// runs every connection's pacer and RTP controller on its worker thread, here the shard thread
// (later libwebrtc's default): a packet is sent where it is paced and its sent notice handled
// there, no thread hop either way (its effect on a relay: bench/RESULTS.md, "Relay CPU per
// subscriber" and "Session 15"). M108 then leaves one task of a destroyed video send stream
// behind it; the video encoder pool drops it
// (DropIfEncoderQueueDeleted), so the trial is only a default while video encoder queues are
// pooled (NODE_LIBWEBRTC_VIDEO_ENCODER_THREADS is not 0). NODE_LIBWEBRTC_FIELD_TRIALS replaces the
// string ("" for none), read once per process.
constexpr char kBurstyPacerTrial[] = "WebRTC-BurstyPacer/burst:40ms/";
constexpr char kPacersOnWorkerTrial[] = "WebRTC-SendPacketsOnWorkerThread/Enabled/";

void InitializeProcessOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    rtc::InitializeSSL();
    InstallSrtpCrypto();  // before any connection: libsrtp's ciphers on OpenSSL (srtp_crypto.h)
    static const std::string trials = [] {
      const char* v = getenv("NODE_LIBWEBRTC_FIELD_TRIALS");
      if (v != nullptr) return std::string(v);
      std::string defaults = kBurstyPacerTrial;
      if (EncoderPoolThreads("NODE_LIBWEBRTC_VIDEO_ENCODER_THREADS") > 0) defaults += kPacersOnWorkerTrial;
      return defaults;
    }();
    webrtc::field_trial::InitFieldTrialsFromString(trials.c_str());
  });
}

}  // namespace

Runtime::Runtime(Napi::Env env) : dispatcher_(Dispatcher::Create(env)) {}

Runtime::~Runtime() { Shutdown(); }

bool Runtime::EnsureStarted(std::string* error) {
  if (shut_down_) {
    *error = "the runtime of this environment has shut down";
    return false;
  }
  if (started_) return true;
  InitializeProcessOnce();
  task_queues_ = std::make_unique<SharedTaskQueueFactory>(
      kTaskQueueThreads, EncoderPoolThreads("NODE_LIBWEBRTC_AUDIO_ENCODER_THREADS"),
      EncoderPoolThreads("NODE_LIBWEBRTC_VIDEO_ENCODER_THREADS"), webrtc::CreateDefaultTaskQueueFactory());
  started_ = true;
  shards_.resize(NetworkThreadCount());
  return StartShard(0, error);
}

size_t Runtime::NetworkThreadCount() {
  if (const char* v = getenv("NODE_LIBWEBRTC_NETWORK_THREADS")) {
    long n = strtol(v, nullptr, 10);
    if (n >= 1 && n <= 64) return static_cast<size_t>(n);
  }
  unsigned cores = std::thread::hardware_concurrency();
  return std::clamp<size_t>(cores > 1 ? cores - 1 : 1, 1, kMaxDefaultNetworkThreads);
}

bool Runtime::StartShard(size_t i, std::string* error) {
  auto shard = std::make_unique<Shard>();
  shard->network = NetworkThread::Create();
  shard->network->SetName("nlw-shard-" + std::to_string(i), nullptr);
  if (!shard->network->Start()) {
    *error = "could not start a libwebrtc network thread";
    return false;
  }
  shard->network->BlockingCall([s = shard.get()] {
    s->network_manager = std::make_unique<rtc::BasicNetworkManager>(s->network->socketserver());
    s->networks = std::make_unique<SharedNetworks>(s->network_manager.get());
    // network_thread.cc gives every network thread a PhysicalSocketServer.
    s->socket_factory = std::make_unique<UdpSocketFactory>(static_cast<rtc::PhysicalSocketServer*>(s->network->socketserver()));
  });
  // What webrtc::CreatePeerConnectionFactory builds, with our task queue factory, on one thread.
  // One thread is also what lets a connection whose DTLS handshake failed be destroyed: this
  // libwebrtc reports the failure through a WeakPtr it binds to the network thread, and destroying
  // the connection on any other thread fails a DCHECK (live in Debian's build) and aborts.
  webrtc::PeerConnectionFactoryDependencies deps;
  deps.network_thread = shard->network.get();
  deps.worker_thread = shard->network.get();
  deps.signaling_thread = shard->network.get();
  deps.socket_factory = shard->network->socketserver();
  deps.task_queue_factory = std::make_unique<TaskQueueFactoryView>(task_queues_.get());
  deps.call_factory = webrtc::CreateCallFactory();
  deps.sctp_factory = CreateSctpTransportFactory(shard->network.get());
  deps.event_log_factory = std::make_unique<webrtc::RtcEventLogFactory>(task_queues_.get());
  deps.trials = std::make_unique<webrtc::FieldTrialBasedConfig>();
  // libwebrtc's NetEq, playing a received DTMF tone that comes late (media/neteq_factory.h).
  deps.neteq_factory = CreateNetEqFactory();
  cricket::MediaEngineDependencies media;
  media.task_queue_factory = task_queues_.get();
  // One headless device per factory: it pulls the decoded audio of this shard's connections.
  shard->adm = rtc::make_ref_counted<HeadlessAudioDevice>(task_queues_.get());
  media.adm = shard->adm;
  // Decodes only the remote audio something reads (media/demand_audio_mixer.h).
  media.audio_mixer = DemandAudioMixer::Create();
  media.audio_encoder_factory = CreateAudioEncoderFactory();
  media.audio_decoder_factory = CreateAudioDecoderFactory();
  // No audio processing: a server's audio comes from programs, not a microphone beside a speaker,
  // so echo cancellation, noise suppression and gain control have nothing to do (the media issue:
  // off unless asked for; our synthetic microphone offers none). Without it the 10 ms render
  // analysis of the mixed playout is gone too.
  media.audio_processing = nullptr;
  media.video_encoder_factory = CreateVideoEncoderFactory();
  // Each decoder skips the delta pictures of a track nobody takes pictures from (media/decode_gate.h).
  media.video_decoder_factory = std::make_unique<GatedVideoDecoderFactory>(CreateVideoDecoderFactory());
  media.trials = deps.trials.get();
  deps.media_engine = cricket::CreateMediaEngine(std::move(media));
  shard->factory = webrtc::CreateModularPeerConnectionFactory(std::move(deps));
  shards_[i] = std::move(shard);  // owned from here, so Shutdown stops its thread on failure too
  if (!shards_[i]->factory) {
    *error = "could not create the PeerConnectionFactory";
    return false;
  }
  // libwebrtc's default mask drops loopback adapters; our own port allocators decide instead
  // (runtime/network_filter.h).
  webrtc::PeerConnectionFactoryInterface::Options options;
  options.network_ignore_mask = 0;
  shards_[i]->factory->SetOptions(options);
  return true;
}

Runtime::Shard* Runtime::NextShard(std::string* error) {
  size_t i = next_shard_++ % shards_.size();
  if (!shards_[i] && !StartShard(i, error)) return nullptr;
  if (!shards_[i]->factory) {
    *error = "could not create the PeerConnectionFactory";
    return nullptr;
  }
  return shards_[i].get();
}

rtc::Thread* Runtime::ThreadOf(const webrtc::PeerConnectionFactoryInterface* factory) const {
  for (const std::unique_ptr<Shard>& shard : shards_)
    if (shard && shard->factory.get() == factory) return shard->network.get();
  return nullptr;
}

rtc::scoped_refptr<webrtc::PeerConnectionFactoryInterface> Runtime::MediaFactory(std::string* error) {
  if (!EnsureStarted(error)) return nullptr;
  if (!shards_[0] && !StartShard(0, error)) return nullptr;
  if (!shards_[0]->factory) {
    *error = "could not create the PeerConnectionFactory";
    return nullptr;
  }
  return shards_[0]->factory;
}

std::string Runtime::CheckPostBatchWaits() {
  std::string error;
  auto factory = MediaFactory(&error);
  if (!factory) return error;
  return CheckWaitsInPostBatches(*task_queues_, ThreadOf(factory.get()));
}

std::unique_ptr<cricket::PortAllocator> Runtime::Shard::CreatePortAllocator(
    const NetworkPolicy& policy) {
  return CreateFilteredPortAllocator(networks.get(), socket_factory.get(), policy);
}

size_t Runtime::pending_long_timers() const {
  size_t n = 0;
  for (const auto& shard : shards_)
    if (shard) n += shard->network->PendingLongTasks();
  return n;
}

void Runtime::Register(NativeResource* r, bool is_channel) {
  (is_channel ? channels_ : connections_).insert(r);
}

void Runtime::RegisterTrack(NativeResource* r) { tracks_.insert(r); }

void Runtime::RegisterSink(NativeResource* r) { sinks_.insert(r); }

void Runtime::Unregister(NativeResource* r) {
  sinks_.erase(r);
  sources_.erase(r);
  tracks_.erase(r);
  transceivers_.erase(r);
  channels_.erase(r);
  connections_.erase(r);
}

bool Runtime::RunOnEveryShard(void (*task)(rtc::Thread*), webrtc::TimeDelta budget) {
  std::vector<std::shared_ptr<rtc::Event>> ran;
  for (auto& shard : shards_) {
    if (!shard) continue;
    ran.push_back(std::make_shared<rtc::Event>());
    shard->network->PostTask([t = shard->network.get(), task, r = ran.back()] {
      task(t);
      r->Set();
    });
  }
  webrtc::Timestamp deadline = webrtc::Timestamp::Millis(rtc::TimeMillis()) + budget;
  for (auto& r : ran) {
    webrtc::TimeDelta left = std::max(deadline - webrtc::Timestamp::Millis(rtc::TimeMillis()),
                                      webrtc::TimeDelta::Zero());
    if (!r->Wait(left)) return false;
  }
  return true;
}

void Runtime::Shutdown(bool process_exiting) {
  if (shut_down_) return;
  shut_down_ = true;
  process_exiting_ = process_exiting;
  // 1. No more JS calls; queued tasks die here, while the threads still run (a task may hold the
  //    last reference to a libwebrtc proxy, whose destructor hops to the signaling thread).
  dispatcher_->Close();
  // 2. Every wrapper lets go of its libwebrtc objects (channels first: they live on a connection;
  //    then tracks, whose synthetic sources stop here).
  for (auto* r : std::set<NativeResource*>(channels_)) r->ReleaseNative();
  for (auto* r : std::set<NativeResource*>(transceivers_)) r->ReleaseNative();
  for (auto* r : std::set<NativeResource*>(sinks_)) r->ReleaseNative();
  for (auto* r : std::set<NativeResource*>(sources_)) r->ReleaseNative();
  for (auto* r : std::set<NativeResource*>(tracks_)) r->ReleaseNative();
  for (auto* r : std::set<NativeResource*>(connections_)) r->ReleaseNative();
  channels_.clear();
  sinks_.clear();
  sources_.clear();
  tracks_.clear();
  transceivers_.clear();
  connections_.clear();
  if (!started_) return;
  // 3. Releases post their closing work to their shards' threads: let it finish while the threads
  //    run. Closing costs milliseconds per connection (libwebrtc joins two task-queue threads of
  //    each): when the process is exiting, the closes that fit in kExitBudget tell remote peers
  //    at once, the rest are abandoned to the OS with everything else, threads included (stopped,
  //    never deleted: abandoned objects may still post to them).
  const webrtc::TimeDelta forever = webrtc::TimeDelta::PlusInfinity();
  if (process_exiting && !RunOnEveryShard([](rtc::Thread*) {}, kExitBudget)) {
    abandon_->store(true);
    // The audio devices' playout threads would go on pulling from abandoned connections.
    for (auto& shard : shards_)
      if (shard && shard->adm) shard->adm->Halt();
    // Each thread quits from a task of its own, after the close it may be in the middle of: that
    // close (past its abandon check) still makes blocking calls to its own thread, which libwebrtc
    // refuses once the thread is quitting. The closes queued behind it return at once.
    RunOnEveryShard([](rtc::Thread* t) { t->Quit(); }, forever);
    for (auto& shard : shards_) {
      if (!shard) continue;
      shard->network->Stop();
      (void)shard.release();  // with its thread, network manager, socket factory and factory
    }
    task_queues_->Stop(/*abandon=*/true);
    (void)task_queues_.release();
    return;
  }
  RunOnEveryShard([](rtc::Thread*) {}, forever);
  // A close that found a getStats() still collecting queued itself once more (behind the
  // collection's own task, PeerConnection::ReleaseNative): wait for that one too.
  RunOnEveryShard([](rtc::Thread*) {}, forever);
  for (auto& shard : shards_) {
    if (!shard) continue;
    shard->factory = nullptr;
    shard->adm = nullptr;
    shard->network->BlockingCall([s = shard.get()] {
      s->socket_factory.reset();
      s->networks.reset();
      s->network_manager.reset();
    });
  }
  // 4. Stop (join) and delete the threads. Nothing of libwebrtc's is left that could post to them:
  //    every connection and channel was closed and dropped on its shard's thread above, and the
  //    factories are gone.
  for (auto& shard : shards_) {
    if (shard) shard->network->Stop();
  }
  task_queues_.reset();
  shards_.clear();
}

}  // namespace nlw
