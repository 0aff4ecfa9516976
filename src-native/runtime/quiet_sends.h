// Sends that tell no one they were sent.
//
// Every datagram libwebrtc sends raises a sent-packet report (rtc::AsyncPacketSocket::
// SignalSentPacket) that climbs from the socket through the port, ICE, DTLS and the RTP transport
// to the channel, for the transport controller's feedback and allocation. The RTP forwarder's
// packets carry no transport-wide sequence number and count for neither, so their reports stopped
// at the channel (shims/rtp_forward_hooks.cc), after ~6 % of a forwarding relay's CPU on the way
// (bench/RESULTS.md "Session 19"). Inside a QuietSends scope on a network thread, a send of ours
// (udp_socket_factory.cc) without a packet id raises none.
#pragma once

namespace nlw {

class QuietSends {
 public:
  QuietSends();
  ~QuietSends();
  QuietSends(const QuietSends&) = delete;
  QuietSends& operator=(const QuietSends&) = delete;

  static bool Active();

 private:
  const bool outer_;
};

}  // namespace nlw
