// The packet socket factory of a shard: libwebrtc's, except that UDP sockets skip two syscalls
// per packet that its socket layer makes for values that never change or that we do not use, and
// send bursts of DTLS records in fewer system calls: joined on loopback, segmented (UDP_SEGMENT)
// elsewhere (datagram_batch.h).
//
// rtc::AsyncUDPSocket asks the socket for its local address on every send (getsockname), and for
// the kernel's receive timestamp on every receive (ioctl SIOCGSTAMP, which also turns on kernel
// timestamping for the socket). Here the address is read once after bind, and receives take the
// time when they are read, as libwebrtc itself does when no timestamp is given (and as Chromium's
// own socket layer does). Measured with an LD_PRELOAD doing the same: ~10-15% less CPU per packet
// (bench/RESULTS.md).
#pragma once

#include "p2p/base/basic_packet_socket_factory.h"

namespace rtc {
class PhysicalSocketServer;
}

namespace nlw {

class UdpSocketFactory : public rtc::BasicPacketSocketFactory {
 public:
  // The network thread's socket server (network_thread.cc): its sockets have descriptors.
  explicit UdpSocketFactory(rtc::PhysicalSocketServer* sockets);
  rtc::AsyncPacketSocket* CreateUdpSocket(const rtc::SocketAddress& local_address, uint16_t min_port,
                                          uint16_t max_port) override;

 private:
  rtc::PhysicalSocketServer* const sockets_;
};

}  // namespace nlw
