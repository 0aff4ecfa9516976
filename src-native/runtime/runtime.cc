#include "runtime/runtime.h"

#include <mutex>

#include "api/call/call_factory_interface.h"
#include "api/create_peerconnection_factory.h"
#include "api/rtc_event_log/rtc_event_log_factory.h"
#include "api/task_queue/default_task_queue_factory.h"
#include "api/transport/field_trial_based_config.h"
#include "media/engine/webrtc_media_engine.h"
#include "modules/audio_processing/include/audio_processing.h"
#include "modules/audio_device/include/fake_audio_device.h"
#include "p2p/base/basic_packet_socket_factory.h"
#include "rtc_base/event.h"
#include "rtc_base/network.h"
#include "rtc_base/ssl_adapter.h"
#include "rtc_base/thread.h"
#include "runtime/codec_factories.h"
#include "runtime/shared_task_queues.h"

namespace nlw {

namespace {

// How long an exiting process waits for its connections to close (see Shutdown).
constexpr webrtc::TimeDelta kExitBudget = webrtc::TimeDelta::Millis(150);

// FakeAudioDeviceModule is stateless and its AddRef/Release do nothing: one instance serves
// every environment for the life of the process.
webrtc::AudioDeviceModule* SharedFakeAudioDevice() {
  static webrtc::FakeAudioDeviceModule* adm = new webrtc::FakeAudioDeviceModule();
  return adm;
}

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

void InitializeProcessOnce() {
  static std::once_flag once;
  std::call_once(once, [] { rtc::InitializeSSL(); });
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
  network_ = rtc::Thread::CreateWithSocketServer();
  worker_ = rtc::Thread::Create();
  signaling_ = rtc::Thread::Create();
  network_->SetName("nlw-network", nullptr);
  worker_->SetName("nlw-worker", nullptr);
  signaling_->SetName("nlw-signaling", nullptr);
  if (!network_->Start() || !worker_->Start() || !signaling_->Start()) {
    *error = "could not start libwebrtc threads";
    return false;
  }
  started_ = true;
  network_->BlockingCall([this] {
    network_manager_ = std::make_unique<rtc::BasicNetworkManager>(network_->socketserver());
    socket_factory_ = std::make_unique<rtc::BasicPacketSocketFactory>(network_->socketserver());
  });
  // What webrtc::CreatePeerConnectionFactory builds, with our task queue factory.
  task_queues_ = std::make_unique<SharedTaskQueueFactory>(kTaskQueueThreads,
                                                          webrtc::CreateDefaultTaskQueueFactory());
  webrtc::PeerConnectionFactoryDependencies deps;
  deps.network_thread = network_.get();
  deps.worker_thread = worker_.get();
  deps.signaling_thread = signaling_.get();
  deps.socket_factory = network_->socketserver();
  deps.task_queue_factory = std::make_unique<TaskQueueFactoryView>(task_queues_.get());
  deps.call_factory = webrtc::CreateCallFactory();
  deps.event_log_factory = std::make_unique<webrtc::RtcEventLogFactory>(task_queues_.get());
  deps.trials = std::make_unique<webrtc::FieldTrialBasedConfig>();
  cricket::MediaEngineDependencies media;
  media.task_queue_factory = task_queues_.get();
  media.adm = rtc::scoped_refptr<webrtc::AudioDeviceModule>(SharedFakeAudioDevice());
  media.audio_encoder_factory = CreateAudioEncoderFactory();
  media.audio_decoder_factory = CreateAudioDecoderFactory();
  media.audio_processing = webrtc::AudioProcessingBuilder().Create();
  media.video_encoder_factory = CreateVideoEncoderFactory();
  media.video_decoder_factory = CreateVideoDecoderFactory();
  media.trials = deps.trials.get();
  deps.media_engine = cricket::CreateMediaEngine(std::move(media));
  factory_ = webrtc::CreateModularPeerConnectionFactory(std::move(deps));
  if (!factory_) {
    *error = "could not create the PeerConnectionFactory";
    return false;
  }
  // libwebrtc's default mask drops loopback adapters; our own port allocators decide instead
  // (runtime/network_filter.h).
  webrtc::PeerConnectionFactoryInterface::Options options;
  options.network_ignore_mask = 0;
  factory_->SetOptions(options);
  return true;
}

std::unique_ptr<cricket::PortAllocator> Runtime::CreatePortAllocator(const NetworkPolicy& policy) {
  return CreateFilteredPortAllocator(network_manager_.get(), socket_factory_.get(), policy);
}

void Runtime::Register(NativeResource* r, bool is_channel) {
  (is_channel ? channels_ : connections_).insert(r);
}

void Runtime::Unregister(NativeResource* r) {
  channels_.erase(r);
  connections_.erase(r);
}

void Runtime::Shutdown(bool process_exiting) {
  if (shut_down_) return;
  shut_down_ = true;
  // 1. No more JS calls; queued tasks die here, while the threads still run (a task may hold the
  //    last reference to a libwebrtc proxy, whose destructor hops to the signaling thread).
  dispatcher_->Close();
  // 2. Every wrapper lets go of its libwebrtc objects (channels first: they live on a connection).
  for (auto* r : std::set<NativeResource*>(channels_)) r->ReleaseNative();
  for (auto* r : std::set<NativeResource*>(connections_)) r->ReleaseNative();
  channels_.clear();
  connections_.clear();
  if (!started_) return;
  // 3. Releases post their closing work to the signaling thread: let it finish while the threads
  //    run. Closing costs milliseconds per connection (libwebrtc joins two task-queue threads of
  //    each): when the process is exiting, the closes that fit in kExitBudget tell remote peers
  //    at once, the rest are abandoned to the OS with everything else, threads included (stopped,
  //    never deleted: abandoned objects may still post to them).
  if (process_exiting) {
    auto done = std::make_shared<rtc::Event>();
    signaling_->PostTask([done] { done->Set(); });
    if (!done->Wait(kExitBudget)) {
      abandon_->store(true);
      signaling_->Stop();
      worker_->Stop();
      network_->Stop();
      task_queues_->Stop(/*abandon=*/true);
      (void)task_queues_.release();
      (void)signaling_.release();
      (void)worker_.release();
      (void)network_.release();
      (void)network_manager_.release();
      (void)socket_factory_.release();
      (void)factory_.release();
      return;
    }
  }
  signaling_->BlockingCall([] {});
  factory_ = nullptr;
  network_->BlockingCall([this] {
    socket_factory_.reset();
    network_manager_.reset();
  });
  // 4. Stop (join) and delete the threads. Nothing of libwebrtc's is left that could post to them:
  //    every connection and channel was closed and dropped on the signaling thread above, and the
  //    factory is gone.
  signaling_->Stop();
  worker_->Stop();
  network_->Stop();
  task_queues_.reset();
  signaling_.reset();
  worker_.reset();
  network_.reset();
}

}  // namespace nlw
