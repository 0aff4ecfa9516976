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
  FilteringNetworkManager(rtc::NetworkManager* base, NetworkPolicy policy)
      : base_(base), policy_(std::move(policy)) {}
  ~FilteringNetworkManager() override {
    if (start_count_ > 0) base_->StopUpdating();
  }

  // Every new allocator session (first gathering, ICE restart, rollback) calls StartUpdating and
  // waits for SignalNetworksChanged; later starts get a re-announcement of their own, as
  // BasicNetworkManager does, but only this connection's sessions hear it.
  void StartUpdating() override {
    if (start_count_++ == 0) {
      base_->SignalNetworksChanged.connect(this, &FilteringNetworkManager::OnChanged);
      base_->SignalError.connect(this, &FilteringNetworkManager::OnError);
      base_->StartUpdating();
    }
    if (reported_)
      rtc::Thread::Current()->PostTask(webrtc::SafeTask(safety_.flag(), [this] { SignalNetworksChanged(); }));
  }
  void StopUpdating() override {
    if (start_count_ == 0 || --start_count_ > 0) return;
    base_->SignalNetworksChanged.disconnect(this);
    base_->SignalError.disconnect(this);
    base_->StopUpdating();
  }
  // Each port hooks itself onto its rtc::Network's signals, and unhooking walks that list. With the
  // runtime's Network objects shared by every connection, N connections cost O(N^2) to create and
  // close (bench: 1,000 pairs never opened). So each connection gets copies of its own, kept as
  // long as its allocator (ports may point at a network that has since gone away).
  std::vector<const rtc::Network*> GetNetworks() const override {
    std::vector<const rtc::Network*> own;
    for (const rtc::Network* n : FilterNetworks(base_->GetNetworks(), policy_)) own.push_back(Own(*n));
    return own;
  }
  std::vector<const rtc::Network*> GetAnyAddressNetworks() override {
    return base_->GetAnyAddressNetworks();
  }
  EnumerationPermission enumeration_permission() const override {
    return base_->enumeration_permission();
  }
  bool GetDefaultLocalAddress(int family, rtc::IPAddress* ipaddr) const override {
    return base_->GetDefaultLocalAddress(family, ipaddr);
  }
  webrtc::MdnsResponderInterface* GetMdnsResponder() const override { return nullptr; }

 private:
  // The runtime's manager re-announces its networks to every connection whenever one more connection
  // starts: with N connections that is O(N^2) reallocation work. Pass on real changes only.
  void OnChanged() {
    std::vector<std::string> now;
    for (const rtc::Network* n : GetNetworks()) {
      std::string entry = n->ToString();
      for (const rtc::InterfaceAddress& ip : n->GetIPs()) entry += " " + ip.ToString();
      now.push_back(std::move(entry));
    }
    if (reported_ && now == last_reported_) return;
    reported_ = true;
    last_reported_ = std::move(now);
    SignalNetworksChanged();
  }
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

  rtc::NetworkManager* base_;
  NetworkPolicy policy_;
  int start_count_ = 0;
  webrtc::ScopedTaskSafetyDetached safety_;  // made on the JS thread, used on the network thread
  mutable std::map<std::string, std::unique_ptr<rtc::Network>> copies_;  // network thread only
  bool reported_ = false;
  std::vector<std::string> last_reported_;
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
    rtc::NetworkManager* base, rtc::PacketSocketFactory* socket_factory, const NetworkPolicy& policy) {
  auto allocator = std::make_unique<FilteredPortAllocator>(
      std::make_unique<FilteringNetworkManager>(base, policy), socket_factory);
  if (policy.min_port > 0 || policy.max_port > 0)
    allocator->SetPortRange(policy.min_port, policy.max_port);
  return allocator;
}

}  // namespace nlw
