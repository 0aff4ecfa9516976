// Which network interfaces ICE may use. libwebrtc ignores loopback adapters; we keep them when
// they are all there is (a loopback-only namespace, a test rig), or when asked, and let users
// allow or deny interfaces by name. Each peer connection gets its own port allocator over a
// filtered view of the runtime's one BasicNetworkManager.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "p2p/base/port_allocator.h"
#include "rtc_base/network.h"
#include "rtc_base/third_party/sigslot/sigslot.h"

namespace rtc {
class PacketSocketFactory;
}

namespace nlw {

struct NetworkPolicy {
  enum class Loopback { kAuto, kInclude, kExclude };
  Loopback loopback = Loopback::kAuto;
  std::vector<std::string> include;  // interface names; empty: every interface
  std::vector<std::string> exclude;  // interface names
  int min_port = 0;                  // 0: any
  int max_port = 0;
};

// Applies `policy` to `networks` (pure function, exposed for the interface listing).
std::vector<const rtc::Network*> FilterNetworks(const std::vector<const rtc::Network*>& networks,
                                                const NetworkPolicy& policy);

// One shard's BasicNetworkManager, shared by the connections of that shard (network thread only).
// BasicNetworkManager re-announces its networks to every listener each time one more listener
// starts, which is O(N^2) over N connections (1,000 pairs opened at once spent a fifth of the
// shard thread on it): this starts it once for all of its listeners and passes on real changes.
class SharedNetworks : public sigslot::has_slots<> {
 public:
  explicit SharedNetworks(rtc::NetworkManager* base) : base_(base) {}
  ~SharedNetworks() override;
  SharedNetworks(const SharedNetworks&) = delete;
  SharedNetworks& operator=(const SharedNetworks&) = delete;

  // Counted, as NetworkManager's own: the first Start starts the base, the last Stop stops it.
  void Start();
  void Stop();
  // The networks have been announced since the base last started: a listener that connects now
  // hears of them only from itself.
  bool announced() const { return announced_; }
  rtc::NetworkManager* base() const { return base_; }

  sigslot::signal0<> SignalChanged;
  sigslot::signal0<> SignalError;

 private:
  void OnBaseChanged();
  void OnBaseError() { SignalError(); }

  rtc::NetworkManager* const base_;
  int start_count_ = 0;
  bool announced_ = false;
  std::vector<std::string> last_;  // what was last announced: names, types, addresses
};

// A BasicPortAllocator that owns the filtered view it allocates from.
std::unique_ptr<cricket::PortAllocator> CreateFilteredPortAllocator(
    SharedNetworks* networks, rtc::PacketSocketFactory* socket_factory, const NetworkPolicy& policy);

// Allocators made above and not yet destroyed, in the whole process: each belongs to one
// libwebrtc PeerConnection, which frees it only in its destructor, so this counts the
// libwebrtc connections not yet destroyed.
int64_t LiveFilteredPortAllocators();

}  // namespace nlw
