#include "runtime/network_filter.h"

#include <algorithm>

#include "p2p/client/basic_port_allocator.h"
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
    if (started_) base_->StopUpdating();
  }

  void StartUpdating() override {
    if (!started_) {
      started_ = true;
      base_->SignalNetworksChanged.connect(this, &FilteringNetworkManager::OnChanged);
      base_->SignalError.connect(this, &FilteringNetworkManager::OnError);
      base_->StartUpdating();
    }
  }
  void StopUpdating() override {
    if (started_) {
      started_ = false;
      base_->SignalNetworksChanged.disconnect(this);
      base_->SignalError.disconnect(this);
      base_->StopUpdating();
    }
  }
  std::vector<const rtc::Network*> GetNetworks() const override {
    return FilterNetworks(base_->GetNetworks(), policy_);
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
  void OnChanged() { SignalNetworksChanged(); }
  void OnError() { SignalError(); }

  rtc::NetworkManager* base_;
  NetworkPolicy policy_;
  bool started_ = false;
};

// Base-from-member: the filter must exist before BasicPortAllocator's constructor sees it.
struct FilterHolder {
  explicit FilterHolder(std::unique_ptr<FilteringNetworkManager> f) : filter(std::move(f)) {}
  std::unique_ptr<FilteringNetworkManager> filter;
};

class FilteredPortAllocator : private FilterHolder, public cricket::BasicPortAllocator {
 public:
  FilteredPortAllocator(std::unique_ptr<FilteringNetworkManager> filter,
                        rtc::PacketSocketFactory* socket_factory)
      : FilterHolder(std::move(filter)),
        cricket::BasicPortAllocator(FilterHolder::filter.get(), socket_factory) {}
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

std::unique_ptr<cricket::PortAllocator> CreateFilteredPortAllocator(
    rtc::NetworkManager* base, rtc::PacketSocketFactory* socket_factory, const NetworkPolicy& policy) {
  auto allocator = std::make_unique<FilteredPortAllocator>(
      std::make_unique<FilteringNetworkManager>(base, policy), socket_factory);
  if (policy.min_port > 0 || policy.max_port > 0)
    allocator->SetPortRange(policy.min_port, policy.max_port);
  return allocator;
}

}  // namespace nlw
