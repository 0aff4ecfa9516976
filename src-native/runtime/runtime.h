// One Runtime per Node environment (main thread, each worker, each Electron context): it owns
// libwebrtc's threads, the PeerConnectionFactories, the network managers and the dispatcher.
// Every wrapper holds a shared_ptr to it, so nothing can outlive the threads it runs on.
#pragma once

#include <napi.h>

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "api/peer_connection_interface.h"
#include "api/units/time_delta.h"
#include "bridge/dispatcher.h"
#include "runtime/network_filter.h"

namespace rtc {
class BasicNetworkManager;
class BasicPacketSocketFactory;
class Thread;
}  // namespace rtc

namespace nlw {

class HeadlessAudioDevice;
class NetworkThread;
class SharedTaskQueueFactory;

// A wrapper that holds libwebrtc objects. Shutdown releases them all before the threads stop,
// whatever JS still references.
class NativeResource {
 public:
  virtual void ReleaseNative() = 0;

 protected:
  ~NativeResource() = default;
};

class Runtime {
 public:
  explicit Runtime(Napi::Env env);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // JS thread. Starts the threads and the factory on first use; false + message on failure.
  bool EnsureStarted(std::string* error);
  // JS thread. Idempotent. Releases every registered resource, stops the threads. When the whole
  // process is exiting, waits a bounded time for connections to close and abandons the rest.
  void Shutdown(bool process_exiting = false);
  bool shut_down() const { return shut_down_; }
  // True during a shutdown for process exit: wrappers then leave libwebrtc objects to the OS
  // instead of making blocking hops to threads that may be busy (Shutdown abandons the rest).
  bool process_exiting() const { return process_exiting_; }

  // A thread with its own factory, network manager and socket factory. Connections are spread
  // over the shards round robin, so that packet work (DTLS, SCTP, sockets) of different
  // connections runs on different cores. Lives until Shutdown.
  //
  // The thread is libwebrtc's network, signaling and worker thread for the shard's connections.
  // libwebrtc M110 applies a description, creates an offer or answer, adds a candidate with
  // blocking calls from the signaling thread to the network thread (a dozen per pair set up), each
  // a wake-up of the other thread and a wait behind whatever packet work it is doing; on one thread
  // they are direct calls. Setup median 5.6-6.6 -> 4.3-4.9 ms (bench/RESULTS.md). The worker
  // thread must be the same one: it makes blocking calls to the network thread while the
  // signaling thread waits for it in others, a cycle once signaling and network are one thread.
  struct Shard {
    std::unique_ptr<NetworkThread> network;  // also the signaling and worker thread
    std::unique_ptr<rtc::BasicNetworkManager> network_manager;      // network thread
    std::unique_ptr<SharedNetworks> networks;                        // network thread, over it
    std::unique_ptr<rtc::BasicPacketSocketFactory> socket_factory;  // network thread
    rtc::scoped_refptr<webrtc::PeerConnectionFactoryInterface> factory;
    // The factory's audio device (media/headless_audio_device.h): pulls remote audio.
    rtc::scoped_refptr<HeadlessAudioDevice> adm;

    // JS thread. A port allocator for one peer connection, restricted by `policy`.
    std::unique_ptr<cricket::PortAllocator> CreatePortAllocator(const NetworkPolicy& policy);
  };

  const std::shared_ptr<Dispatcher>& dispatcher() const { return dispatcher_; }
  // JS thread, after EnsureStarted. The shard for a new connection (started on first use);
  // nullptr + message on failure.
  Shard* NextShard(std::string* error);
  // JS thread. The factory local tracks are made with: shard 0's, started on demand; nullptr +
  // message on failure.
  rtc::scoped_refptr<webrtc::PeerConnectionFactoryInterface> MediaFactory(std::string* error);

  // JS thread. The thread of the shard whose factory is `factory` (null if none is).
  rtc::Thread* ThreadOf(const webrtc::PeerConnectionFactoryInterface* factory) const;

  // JS thread. Channels are released before connections. A resource is registered while it
  // holds libwebrtc objects: close() or GC unregisters it.
  void Register(NativeResource* r, bool is_channel);
  // JS thread. Tracks are released after channels, before connections.
  void RegisterTrack(NativeResource* r);
  // RTCRtpTransceiver wrappers (released with the channels, before connections).
  void RegisterTransceiver(NativeResource* r) { transceivers_.insert(r); }
  // JS thread. Track sinks (non-standard) are released before tracks.
  void RegisterSink(NativeResource* r);
  // JS thread. Non-standard track sources (wrap/track_sources.h), released with the sinks.
  void RegisterSource(NativeResource* r) { sources_.insert(r); }
  void Unregister(NativeResource* r);
  // Set when an exiting process gives up waiting for closes: pending closing work must then
  // leave its objects to the OS instead of tearing them down (signaling thread reads it).
  const std::shared_ptr<std::atomic<bool>>& abandon_flag() const { return abandon_; }
  size_t live_connections() const { return connections_.size(); }
  size_t live_channels() const { return channels_.size(); }
  size_t live_tracks() const { return tracks_.size(); }
  size_t live_transceivers() const { return transceivers_.size(); }
  size_t live_sources() const { return sources_.size(); }
  size_t live_sinks() const { return sinks_.size(); }
  // Long libwebrtc timers queued on the network threads (runtime/network_thread.h).
  size_t pending_long_timers() const;
  // JS thread, tests: runtime/post_batch_check.h on shard 0; "" when every wait ended.
  std::string CheckPostBatchWaits();

 private:
  static size_t NetworkThreadCount();
  bool StartShard(size_t i, std::string* error);
  // Runs `task` on every started shard's thread, after what is queued there, and waits for all of
  // them until `budget` has passed; false if one has not run by then.
  bool RunOnEveryShard(void (*task)(rtc::Thread*), webrtc::TimeDelta budget);

  std::shared_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<SharedTaskQueueFactory> task_queues_;  // outlives the factories
  std::vector<std::unique_ptr<Shard>> shards_;           // null until first used
  size_t next_shard_ = 0;
  std::set<NativeResource*> channels_, connections_, tracks_, sinks_;
  std::set<NativeResource*> transceivers_, sources_;
  std::shared_ptr<std::atomic<bool>> abandon_ = std::make_shared<std::atomic<bool>>(false);
  bool started_ = false;
  bool shut_down_ = false;
  bool process_exiting_ = false;
};

}  // namespace nlw
