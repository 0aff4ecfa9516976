#include "runtime/udp_socket_factory.h"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "rtc_base/async_udp_socket.h"
#include "rtc_base/buffer.h"
#include "rtc_base/logging.h"
#include "rtc_base/physical_socket_server.h"
#include "rtc_base/socket.h"
#include "rtc_base/third_party/sigslot/sigslot.h"
#include "runtime/datagram_batch.h"
#include "runtime/post_batch.h"
#include "runtime/quiet_sends.h"
#include "shims/clock_reads.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103  // linux/udp.h, Linux 4.18
#endif
#ifndef UDP_GRO
#define UDP_GRO 104  // linux/udp.h, Linux 5.0
#endif

namespace nlw {
namespace {

// SO_RCVBUF asked of every socket: Linux doubles it (capped by net.core.rmem_max, which is this
// value by default), so ~416 KiB against the default ~208 KiB. A burst (a congestion window of
// SCTP data) could fill the default before the reader ran; on one shard thread the reader of an
// in-process peer runs only after the burst is sent. The last datagrams were then lost, among them,
// when the sender closed right after, the SCTP ABORT that tells the other end: its channels stayed
// open (a test's close missed about 1 time in 80). Reading every waiting datagram per read event
// (OnRead) fixed that on its own; the bigger buffer also cuts the losses of that test's run from
// 1-123 datagrams to 0-4. Asking 1 MiB (2 MiB where rmem_max allows) made small messages slower
// (47-69k msg/s in 3 of 4 runs against 134-158k), so no more than this.
constexpr int kReceiveBuffer = 212992;
// Off loopback (a veth pair between two processes, bench/RESULTS.md "Veth path"), a segmented burst of
// the peer arrives at once, as one buffer with UDP_GRO: 416 KiB dropped some of every 16 MiB
// transfer's datagrams at a load of 8-10 (each loss a wait for SCTP's retransmission), 4 MiB none.
// The kernel caps the request at net.core.rmem_max (208 KiB by default, which leaves 416 KiB).
constexpr int kNetworkReceiveBuffer = 2 * 1024 * 1024;

// A DTLS 1.x application-data record (content type 23, version 0xFEnn), longer than its 13-byte
// header.
bool IsDtlsApplicationData(const void* pv, size_t cb) {
  const auto* b = static_cast<const uint8_t*>(pv);
  return cb > 13 && b[0] == 23 && b[1] == 0xFE;
}

// An (S)RTP or (S)RTCP packet: version 2 (RFC 7983's range 128-191 for the first byte), at least a
// fixed header.
bool IsRtpOrRtcp(const void* pv, size_t cb) {
  const auto* b = static_cast<const uint8_t*>(pv);
  return cb >= 12 && (b[0] & 0xC0) == 0x80;
}

// Turns a socket's read interest back on, as libwebrtc's own read does (PhysicalSocket::RecvFrom
// enables DE_READ after every read of a UDP socket), for the reads OnRead makes itself. The
// member is protected; reached through a derived class, never instantiated. Epoll is
// level-triggered there: what is still waiting raises the next read event.
struct ReadArming : rtc::SocketDispatcher {
  static void Arm(rtc::SocketDispatcher* socket) {
    void (rtc::SocketDispatcher::*enable)(uint8_t) = &ReadArming::EnableEvents;
    (socket->*enable)(rtc::DE_READ);
  }
};
void ArmRead(rtc::SocketDispatcher* socket) { ReadArming::Arm(socket); }

// A bound UDP socket that remembers its local address, does not ask for receive timestamps, and
// joins DTLS records to loopback addresses, or sends bursts of them in one segmented send, while
// a DatagramBatch is open (datagram_batch.h), and reads runs of datagrams the kernel coalesced
// (UDP_GRO: a peer's segmented burst arrives as one buffer, one system call). Everything else goes
// to libwebrtc's socket, whose events it passes on as its own. `fd` is that socket's descriptor.
class UdpSocket : public rtc::Socket, public sigslot::has_slots<>, private DatagramBatch::Member {
 public:
  // `gro`: the kernel may hand this socket several datagrams of one sender as one buffer
  // (UDP_GRO), which OnRead cuts up again.
  UdpSocket(rtc::SocketDispatcher* inner, int fd, bool gro)
      : inner_(inner), dispatcher_(inner), fd_(fd), read_fd_(gro ? fd : -1) {
    inner_->SignalReadEvent.connect(this, &UdpSocket::OnRead);
    inner_->SignalWriteEvent.connect(this, &UdpSocket::OnWrite);
    inner_->SignalConnectEvent.connect(this, &UdpSocket::OnConnect);
    inner_->SignalCloseEvent.connect(this, &UdpSocket::OnClose);
  }
  // Destroyed inside a scope (a port torn down while a packet is handled): the scope's end must
  // not flush a socket that is gone. What it held is dropped, as a closed socket's sends are.
  ~UdpSocket() override {
    if (enlisted_) DatagramBatch::Withdraw(this);
  }

  rtc::SocketAddress GetLocalAddress() const override {
    if (local_.IsNil()) {
      rtc::SocketAddress address = inner_->GetLocalAddress();
      if (address.port() == 0) return address;  // not bound yet
      local_ = address;
    }
    return local_;
  }
  rtc::SocketAddress GetRemoteAddress() const override { return inner_->GetRemoteAddress(); }
  int Bind(const rtc::SocketAddress& addr) override {
    local_.Clear();
    return inner_->Bind(addr);
  }
  int Connect(const rtc::SocketAddress& addr) override { return inner_->Connect(addr); }
  int Send(const void* pv, size_t cb) override {
    FlushBatched();
    return inner_->Send(pv, cb);
  }
  int SendTo(const void* pv, size_t cb, const rtc::SocketAddress& addr) override {
    if (IsDtlsApplicationData(pv, cb)) {
      if (DatagramBatch::Joining() && addr.IsLoopbackIP() && cb <= DatagramBatch::kMaxDatagram) {
        Hold(pv, cb, addr, /*join=*/true);
        return static_cast<int>(cb);
      }
      if (DatagramBatch::Segmenting() && fd_ >= 0 && cb <= DatagramBatch::kMaxSegmentedBytes) {
        Hold(pv, cb, addr, /*join=*/false);
        return static_cast<int>(cb);
      }
    } else if (IsRtpOrRtcp(pv, cb) && (DatagramBatch::Segmenting() || DatagramBatch::Joining()) &&
               fd_ >= 0 && cb <= DatagramBatch::kMaxSegmentedBytes) {
      // A pacer's burst to this subscriber (or a batch of RTCP): one system call for all of it.
      Hold(pv, cb, addr, /*join=*/false);
      return static_cast<int>(cb);
    }
    FlushBatched();  // keeps this socket's datagrams in the order they were given
    return inner_->SendTo(pv, cb, addr);
  }
  // -1: "no timestamp", which rtc::AsyncUDPSocket replaces with the current time.
  int Recv(void* pv, size_t cb, int64_t* timestamp) override {
    if (timestamp) *timestamp = -1;
    return inner_->Recv(pv, cb, nullptr);
  }
  int RecvFrom(void* pv, size_t cb, rtc::SocketAddress* paddr, int64_t* timestamp) override {
    if (timestamp) *timestamp = -1;
    if (ahead_ != nullptr) {  // OnRead has read it already
      const ReadAhead& a = *ahead_;
      ahead_ = nullptr;
      size_t n = std::min(cb, a.size);
      memcpy(pv, a.at, n);
      if (paddr) *paddr = a.from;
      return static_cast<int>(n);
    }
    return inner_->RecvFrom(pv, cb, paddr, nullptr);
  }
  int Listen(int backlog) override { return inner_->Listen(backlog); }
  rtc::Socket* Accept(rtc::SocketAddress* paddr) override { return inner_->Accept(paddr); }
  int Close() override {
    FlushBatched();
    read_fd_ = -1;
    return inner_->Close();
  }
  int GetError() const override { return inner_->GetError(); }
  void SetError(int error) override { inner_->SetError(error); }
  ConnState GetState() const override { return inner_->GetState(); }
  int GetOption(Option opt, int* value) override { return inner_->GetOption(opt, value); }
  int SetOption(Option opt, int value) override { return inner_->SetOption(opt, value); }

 private:
  struct ReadBuffer {
    uint8_t data[64 * 1024];  // a UDP datagram's largest payload (and a coalesced run's)
  };
  struct ReadAhead {
    const uint8_t* at = nullptr;
    size_t size = 0;
    rtc::SocketAddress from;
  };

  // What a received datagram makes this thread send (SACKs, the data they let out) can share
  // datagrams, across all the records it carried.
  //
  // libwebrtc's AsyncUDPSocket reads one datagram per read event, and a thread polls its sockets
  // only when it has no task queued: a peer sending faster than that filled the receive buffer and
  // lost datagrams, an in-process peer on the same shard thread most of all (every datagram it
  // sends is sent before this one can read). Each event now reads what has arrived, up to
  // kReadsPerEvent datagrams, handing them to AsyncUDPSocket one by one as if each were an event.
  void OnRead(rtc::Socket*) {
    // On the heap: in the thread-local block, 64 KiB would keep that block out of glibc's static
    // TLS reserve and every thread_local of the addon on the slow path (CMakeLists.txt, gnu2).
    static thread_local std::unique_ptr<ReadBuffer> buffer_owner;
    if (!buffer_owner) buffer_owner = std::make_unique<ReadBuffer>();
    ReadBuffer& buffer = *buffer_owner;
    static thread_local bool reading = false;
    if (reading) {  // not expected (the dispatch below does not poll sockets), but stay correct
      SignalReadEvent(this);
      return;
    }
    reading = true;
    PostBatch posts;  // what the datagrams make this thread post elsewhere (RTCP feedback) goes as one
    if (read_fd_ >= 0)
      ReadCoalesced(buffer);
    else
      ReadEach(buffer);
    reading = false;
  }

  // Through libwebrtc's socket, one datagram per call.
  void ReadEach(ReadBuffer& buffer) {
    DatagramBatch batch;
    ReadAhead a;
    for (int i = 0; i < kReadsPerEvent; i++) {
      int n = inner_->RecvFrom(buffer.data, sizeof(buffer.data), &a.from, nullptr);
      if (n < 0) {
        // Nothing more (or an error, which AsyncUDPSocket reports when it reads it itself).
        if (i == 0) SignalReadEvent(this);
        break;
      }
      a.at = buffer.data;
      a.size = static_cast<size_t>(n);
      Pass(a);
    }
  }

  // With UDP_GRO: one recvmsg may bring a run of same-sized datagrams from one sender (the last
  // may be shorter), whose size the kernel tells in a control message; each is passed on alone.
  //
  // A read event turns the socket's read interest off until libwebrtc's socket is read again;
  // ArmRead turns it back on without a read. (The last read of every event used to go through
  // libwebrtc's socket: a run that arrived just then was passed on whole, as one datagram, and
  // DTLS reads at most ~16.7 KiB of a datagram (BoringSSL's record buffer), so the records past
  // that, of a run of 14 or more, were lost. On veth that was 20-30 SCTP fast retransmits per
  // 64 MiB, each halving the congestion window: bench/RESULTS.md, "Session 15".)
  //
  // What the datagrams read make this thread send (SACKs, the data they let out) shares sends up
  // to kDatagramsPerBatch datagrams read, not the whole event's: a sender waiting for SACKs gets
  // them after at most one run more than that.
  void ReadCoalesced(ReadBuffer& buffer) {
    ReadAhead a;
    std::optional<DatagramBatch> batch;
    batch.emplace();
    int batched = 0;
    for (int passed = 0; passed < kReadsPerEvent;) {
      if (batched >= kDatagramsPerBatch) {
        batch.reset();  // sends what waits
        batch.emplace();
        batched = 0;
      }
      sockaddr_storage from{};
      iovec iov{buffer.data, sizeof(buffer.data)};
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
      msghdr msg{};
      msg.msg_name = &from;
      msg.msg_namelen = sizeof(from);
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof(control);
      ssize_t n;
      do {
        n = recvmsg(read_fd_, &msg, 0);
      } while (n < 0 && errno == EINTR);
      // Nothing more, or an error (an ICMP error of an earlier send), which AsyncUDPSocket would
      // only have logged.
      if (n < 0) break;
      size_t segment = static_cast<size_t>(n);
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
          int size = 0;
          memcpy(&size, CMSG_DATA(c), sizeof(size));
          if (size > 0) segment = static_cast<size_t>(size);
        }
      }
      if (!rtc::SocketAddressFromSockAddrStorage(from, &a.from)) {
        ++passed;
        continue;
      }
      for (size_t at = 0; at < static_cast<size_t>(n) && read_fd_ >= 0; at += segment) {
        a.at = buffer.data + at;
        a.size = std::min(segment, static_cast<size_t>(n) - at);
        Pass(a);
        ++passed;
        ++batched;
      }
      if (read_fd_ < 0) return;  // closed while a datagram was handled
    }
    ArmRead(dispatcher_);
  }

  // Hands one datagram to AsyncUDPSocket as if it were a read event of its own.
  void Pass(const ReadAhead& a) {
    ShareClockReads clock;  // shims/clock_reads.h
    ahead_ = &a;
    SignalReadEvent(this);
    ahead_ = nullptr;
  }

  // Adds a datagram to what waits: joined to the others (`join`: DTLS records to a loopback
  // address) or as a datagram of its own. Datagrams of their own wait in runs, each sent as one
  // segmented buffer (the kernel cuts it into datagrams of its first one's size, the last may be
  // shorter): a datagram bigger than its run's size, or any after a shorter one, starts a new run;
  // all runs leave in one sendmmsg.
  void Hold(const void* pv, size_t cb, const rtc::SocketAddress& addr, bool join) {
    if (!batched_.empty()) {
      bool fits = batched_to_ == addr && join == joined_;
      if (fits && joined_) {
        fits = batched_.size() + cb <= DatagramBatch::kMaxDatagram;
      } else if (fits) {
        fits = JoinsRun(cb) || (runs_.size() < kMaxRuns && batched_.size() + cb <= kMaxHeldBytes);
      }
      if (!fits) FlushBatched();
    }
    if (batched_.empty()) {
      batched_to_ = addr;
      joined_ = join;
      runs_.clear();
      if (!enlisted_) DatagramBatch::Enlist(this);
      enlisted_ = true;
    }
    const size_t offset = batched_.size();
    batched_.AppendData(static_cast<const uint8_t*>(pv), cb);
    if (joined_) return;
    if (JoinsRun(cb)) {
      Run& run = runs_.back();
      run.bytes += cb;
      ++run.count;
      if (cb < run.segment) run.short_tail = true;
      return;
    }
    runs_.push_back(Run{offset, cb, cb, 1, false});
  }

  bool JoinsRun(size_t cb) const {
    if (runs_.empty()) return false;
    const Run& run = runs_.back();
    return !run.short_tail && cb <= run.segment && run.count < DatagramBatch::kMaxSegments &&
           run.bytes + cb <= DatagramBatch::kMaxSegmentedBytes;
  }

  // A lost joined datagram or segmented send is like any lost datagram: SCTP sends its records
  // again, RTP its NACKed packets.
  void FlushBatched() override {
    if (enlisted_) {
      DatagramBatch::Withdraw(this);
      enlisted_ = false;
    }
    if (batched_.empty()) return;
    if (joined_ || (runs_.size() == 1 && runs_.front().count == 1))
      inner_->SendTo(batched_.data(), batched_.size(), batched_to_);
    else
      SendRuns();
    batched_.Clear();
    runs_.clear();
  }

  // One sendmmsg: a message per run, with UDP_SEGMENT when the run has several datagrams.
  void SendRuns() {
    sockaddr_storage to{};
    const socklen_t to_len = static_cast<socklen_t>(batched_to_.ToSockAddrStorage(&to));
    const size_t n = runs_.size();
    mmsghdr msgs[kMaxRuns];
    iovec iovs[kMaxRuns];
    alignas(cmsghdr) char controls[kMaxRuns][CMSG_SPACE(sizeof(uint16_t))];
    std::memset(msgs, 0, sizeof(msgs));
    std::memset(controls, 0, sizeof(controls));
    for (size_t i = 0; i < n; ++i) {
      const Run& run = runs_[i];
      iovs[i] = iovec{batched_.data() + run.offset, run.bytes};
      msghdr& msg = msgs[i].msg_hdr;
      msg.msg_name = &to;
      msg.msg_namelen = to_len;
      msg.msg_iov = &iovs[i];
      msg.msg_iovlen = 1;
      if (run.count > 1) {
        msg.msg_control = controls[i];
        msg.msg_controllen = sizeof(controls[i]);
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_UDP;
        c->cmsg_type = UDP_SEGMENT;
        c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
        const uint16_t segment = static_cast<uint16_t>(run.segment);
        std::memcpy(CMSG_DATA(c), &segment, sizeof(segment));
      }
    }
    size_t done = 0;
    while (done < n) {
      const int sent = sendmmsg(fd_, msgs + done, static_cast<unsigned>(n - done), 0);
      if (sent > 0) {
        done += static_cast<size_t>(sent);
        continue;
      }
      if (sent < 0 && errno == EINTR) continue;
      const int error = sent < 0 ? errno : 0;
      if (error == EIO || error == EINVAL || error == EOPNOTSUPP || error == ENOPROTOOPT) {
        // No segmentation on this path (an old kernel, a device without checksum offload): from
        // now on one datagram per system call, starting with these.
        RTC_LOG(LS_INFO) << "UDP_SEGMENT send failed (errno " << error << "), one datagram per send from now on";
        fd_ = -1;
        for (size_t i = done; i < n; ++i) {
          const Run& run = runs_[i];
          for (size_t at = 0; at < run.bytes; at += run.segment)
            inner_->SendTo(batched_.data() + run.offset + at, std::min(run.segment, run.bytes - at), batched_to_);
        }
        return;
      }
      // A full send buffer (EAGAIN, ENOBUFS) or an error of this destination (an ICMP error of an
      // earlier send) loses this message, as it would lose a sendto's datagram; the rest go on.
      ++done;
    }
  }

  void OnWrite(rtc::Socket*) { SignalWriteEvent(this); }
  void OnConnect(rtc::Socket*) { SignalConnectEvent(this); }
  void OnClose(rtc::Socket*, int error) { SignalCloseEvent(this, error); }

  static constexpr int kReadsPerEvent = 32;
  // Runs (segmented sends) and bytes one socket holds at most before it sends.
  static constexpr size_t kMaxRuns = 16;
  static constexpr size_t kMaxHeldBytes = 128 * 1024;

  struct Run {
    size_t offset;     // in batched_
    size_t bytes;
    size_t segment;    // the size of each datagram but the last
    size_t count;      // datagrams
    bool short_tail;   // the last is shorter than segment: no more may follow
  };
  static constexpr int kDatagramsPerBatch = 32;

  std::unique_ptr<rtc::Socket> inner_;
  rtc::SocketDispatcher* const dispatcher_;  // inner_
  int fd_;       // -1: no segmented sends
  int read_fd_;  // -1: read through inner_ (no UDP_GRO, or closed)
  const ReadAhead* ahead_ = nullptr;  // a datagram OnRead has read and RecvFrom has not returned yet
  mutable rtc::SocketAddress local_;
  rtc::Buffer batched_;
  rtc::SocketAddress batched_to_;
  bool joined_ = false;  // records joined into one datagram; else datagrams of their own, in runs_
  std::vector<Run> runs_;
  bool enlisted_ = false;
};

// libwebrtc's packet socket over a UdpSocket, except that a send inside a QuietSends scope
// (quiet_sends.h) without a packet id raises no sent-packet report.
class QuietableUdpSocket : public rtc::AsyncUDPSocket {
 public:
  explicit QuietableUdpSocket(rtc::Socket* socket) : rtc::AsyncUDPSocket(socket), socket_(socket) {}
  int SendTo(const void* pv, size_t cb, const rtc::SocketAddress& addr, const rtc::PacketOptions& options) override {
    if (options.packet_id != -1 || !QuietSends::Active()) return rtc::AsyncUDPSocket::SendTo(pv, cb, addr, options);
    return socket_->SendTo(pv, cb, addr);
  }

 private:
  rtc::Socket* const socket_;  // owned by the base
};

}  // namespace

UdpSocketFactory::UdpSocketFactory(rtc::PhysicalSocketServer* sockets)
    : rtc::BasicPacketSocketFactory(sockets), sockets_(sockets) {}

// As rtc::BasicPacketSocketFactory does it, with our socket in between.
rtc::AsyncPacketSocket* UdpSocketFactory::CreateUdpSocket(const rtc::SocketAddress& local_address,
                                                          uint16_t min_port, uint16_t max_port) {
  rtc::Socket* raw = sockets_->CreateSocket(local_address.family(), SOCK_DGRAM);
  if (raw == nullptr) return nullptr;
  // What a PhysicalSocketServer creates is a SocketDispatcher, which knows its descriptor.
  const int fd = static_cast<rtc::SocketDispatcher*>(raw)->GetDescriptor();
  const int on = 1;
  const bool gro = setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof(on)) == 0;
  auto socket = std::make_unique<UdpSocket>(static_cast<rtc::SocketDispatcher*>(raw), fd, gro);
  int result = -1;
  if (min_port == 0 && max_port == 0) {
    result = socket->Bind(local_address);
  } else {
    for (int port = min_port; result < 0 && port <= max_port; ++port)
      result = socket->Bind(rtc::SocketAddress(local_address.ipaddr(), port));
  }
  if (result < 0) {
    RTC_LOG(LS_ERROR) << "UDP bind failed with error " << socket->GetError();
    return nullptr;
  }
  socket->SetOption(rtc::Socket::OPT_RCVBUF,
                    local_address.IsLoopbackIP() ? kReceiveBuffer : kNetworkReceiveBuffer);
  return new QuietableUdpSocket(socket.release());
}

}  // namespace nlw
