#include "runtime/network_filter.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>

#include "api/task_queue/pending_task_safety_flag.h"
#include "p2p/client/basic_port_allocator.h"
#include "rtc_base/thread.h"
#include "rtc_base/third_party/sigslot/sigslot.h"

namespace nlw {

namespace {

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

class FilteringNetworkManager : public rtc::NetworkManager, public sigslot::has_slots<> {
 public:
  FilteringNetworkManager(SharedNetworks* shared, NetworkPolicy policy)
      : shared_(shared), policy_(std::move(policy)) {}
  ~FilteringNetworkManager() override {
    if (start_count_ > 0) shared_->Stop();
  }

  // Every new allocator session (first gathering, ICE restart, rollback) calls StartUpdating and
  // waits for SignalNetworksChanged: one that starts after the networks were announced gets an
  // announcement of its own, which only this connection's sessions hear.
  void StartUpdating() override {
    if (start_count_++ == 0) {
      shared_->SignalChanged.connect(this, &FilteringNetworkManager::OnChanged);
      shared_->SignalError.connect(this, &FilteringNetworkManager::OnError);
      shared_->Start();
    }
    if (shared_->announced())
      rtc::Thread::Current()->PostTask(webrtc::SafeTask(safety_.flag(), [this] { SignalNetworksChanged(); }));
  }
  void StopUpdating() override {
    if (start_count_ == 0 || --start_count_ > 0) return;
    shared_->SignalChanged.disconnect(this);
    shared_->SignalError.disconnect(this);
    shared_->Stop();
  }
  // Each port hooks itself onto its rtc::Network's signals, and unhooking walks that list. With the
  // runtime's Network objects shared by every connection, N connections cost O(N^2) to create and
  // close (bench: 1,000 pairs never opened). So each connection gets copies of its own, kept as
  // long as its allocator (ports may point at a network that has since gone away).
  std::vector<const rtc::Network*> GetNetworks() const override {
    std::vector<const rtc::Network*> own;
    for (const rtc::Network* n : FilterNetworks(shared_->base()->GetNetworks(), policy_)) own.push_back(Own(*n));
    return own;
  }
  std::vector<const rtc::Network*> GetAnyAddressNetworks() override {
    return shared_->base()->GetAnyAddressNetworks();
  }
  EnumerationPermission enumeration_permission() const override {
    return shared_->base()->enumeration_permission();
  }
  bool GetDefaultLocalAddress(int family, rtc::IPAddress* ipaddr) const override {
    return shared_->base()->GetDefaultLocalAddress(family, ipaddr);
  }
  webrtc::MdnsResponderInterface* GetMdnsResponder() const override { return nullptr; }

 private:
  void OnChanged() { SignalNetworksChanged(); }
  void OnError() { SignalError(); }

  const rtc::Network* Own(const rtc::Network& n) const {
    std::unique_ptr<rtc::Network>& copy = copies_[n.key()];
    if (!copy) {
      copy = std::make_unique<rtc::Network>(n);
    } else {
      copy->SetIPs(n.GetIPs(), false);
      copy->set_type(n.type());
    }
    return copy.get();
  }

  SharedNetworks* shared_;
  NetworkPolicy policy_;
  int start_count_ = 0;
  webrtc::ScopedTaskSafetyDetached safety_;  // made on the JS thread, used on the network thread
  mutable std::map<std::string, std::unique_ptr<rtc::Network>> copies_;  // network thread only
};

// Base-from-member: the filter must exist before BasicPortAllocator's constructor sees it.
struct FilterHolder {
  explicit FilterHolder(std::unique_ptr<FilteringNetworkManager> f) : filter(std::move(f)) {}
  std::unique_ptr<FilteringNetworkManager> filter;
};

std::atomic<int64_t> live_allocators{0};

class FilteredPortAllocator : private FilterHolder, public cricket::BasicPortAllocator {
 public:
  FilteredPortAllocator(std::unique_ptr<FilteringNetworkManager> filter,
                        rtc::PacketSocketFactory* socket_factory)
      : FilterHolder(std::move(filter)),
        cricket::BasicPortAllocator(FilterHolder::filter.get(), socket_factory) {
    live_allocators++;
  }
  // libwebrtc's PeerConnection owns its allocator and frees it only in its destructor.
  ~FilteredPortAllocator() override { live_allocators--; }
  // BasicPortAllocator's destructor still talks to the network manager: keep the filter until
  // after it has run (FilterHolder is a base constructed first, so it is destroyed last).
};

}  // namespace

SharedNetworks::~SharedNetworks() {
  if (start_count_ > 0) base_->StopUpdating();
}

void SharedNetworks::Start() {
  if (start_count_++ > 0) return;
  base_->SignalNetworksChanged.connect(this, &SharedNetworks::OnBaseChanged);
  base_->SignalError.connect(this, &SharedNetworks::OnBaseError);
  base_->StartUpdating();
}

void SharedNetworks::Stop() {
  if (start_count_ == 0 || --start_count_ > 0) return;
  base_->SignalNetworksChanged.disconnect(this);
  base_->SignalError.disconnect(this);
  base_->StopUpdating();
  // A restarted base announces again, to listeners that may be waiting for it.
  announced_ = false;
}

void SharedNetworks::OnBaseChanged() {
  std::vector<std::string> now;
  for (const rtc::Network* n : base_->GetNetworks()) {
    std::string entry = n->ToString();
    for (const rtc::InterfaceAddress& ip : n->GetIPs()) entry += " " + ip.ToString();
    now.push_back(std::move(entry));
  }
  if (announced_ && now == last_) return;
  announced_ = true;
  last_ = std::move(now);
  SignalChanged();
}

std::vector<const rtc::Network*> FilterNetworks(const std::vector<const rtc::Network*>& networks,
                                                const NetworkPolicy& policy) {
  std::vector<const rtc::Network*> kept;
  for (const rtc::Network* n : networks) {
    if (Contains(policy.exclude, n->name())) continue;
    if (!policy.include.empty() && !Contains(policy.include, n->name())) continue;
    if (policy.loopback == NetworkPolicy::Loopback::kExclude &&
        n->type() == rtc::ADAPTER_TYPE_LOOPBACK)
      continue;
    kept.push_back(n);
  }
  if (policy.loopback == NetworkPolicy::Loopback::kAuto) {
    bool has_other = std::any_of(kept.begin(), kept.end(), [](const rtc::Network* n) {
      return n->type() != rtc::ADAPTER_TYPE_LOOPBACK;
    });
    if (has_other) {
      kept.erase(std::remove_if(kept.begin(), kept.end(),
                                [](const rtc::Network* n) {
                                  return n->type() == rtc::ADAPTER_TYPE_LOOPBACK;
                                }),
                 kept.end());
    }
  }
  return kept;
}

int64_t LiveFilteredPortAllocators() { return live_allocators.load(); }

std::unique_ptr<cricket::PortAllocator> CreateFilteredPortAllocator(
    SharedNetworks* networks, rtc::PacketSocketFactory* socket_factory, const NetworkPolicy& policy) {
  auto allocator = std::make_unique<FilteredPortAllocator>(
      std::make_unique<FilteringNetworkManager>(networks, policy), socket_factory);
  if (policy.min_port > 0 || policy.max_port > 0)
    allocator->SetPortRange(policy.min_port, policy.max_port);
  return allocator;
}

}  // namespace nlw
