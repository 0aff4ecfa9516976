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

// A BasicPortAllocator that owns the filtered view it allocates from.
std::unique_ptr<cricket::PortAllocator> CreateFilteredPortAllocator(
    rtc::NetworkManager* base, rtc::PacketSocketFactory* socket_factory, const NetworkPolicy& policy);

// Allocators made above and not yet destroyed, in the whole process: each belongs to one
// libwebrtc PeerConnection, which frees it only in its destructor, so this counts the
// libwebrtc connections not yet destroyed.
int64_t LiveFilteredPortAllocators();

}  // namespace nlw
