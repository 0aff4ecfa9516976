// Coalescing of DTLS records into fewer datagrams on loopback paths.
//
// A reliable data channel sends one ~1,200-byte DTLS record per datagram, so a bulk transfer costs
// a sendto, a recvfrom and an epoll wake-up per 1,200 bytes; on this project's machines those
// system calls are most of the transfer's CPU. DTLS lets one datagram carry several records and
// libwebrtc's DtlsTransport reads them all, but not every stack does (aiortc reads one record per
// datagram): the SCTP socket opens joining scopes only for a dcsctp peer (loopback_sctp_socket.h).
// A datagram bigger than the path MTU would be fragmented by IP, so records are only joined when
// the destination is a loopback address, whose MTU is 64 KiB.
//
// A DatagramBatch is a scope on a network thread. While a joining scope is open, DTLS
// application-data records that our UDP sockets send to a loopback address wait in their socket;
// they leave as one datagram per socket when the outermost scope of either kind ends, when the
// datagram is full, or before anything else that socket sends. A plain scope only holds back the
// end: an outer plain scope lets the records of several joining scopes share datagrams.
#pragma once

#include <cstddef>

namespace nlw {

class DatagramBatch {
 public:
  explicit DatagramBatch(bool joining = false);
  ~DatagramBatch();
  DatagramBatch(const DatagramBatch&) = delete;
  DatagramBatch& operator=(const DatagramBatch&) = delete;

  // Whether a joining scope is open on this thread.
  static bool Joining();

  // Joined datagrams are at most this big: 16 KiB carried as much as 32 or 60 KiB did on loopback
  // (bench/RESULTS.md), and more of them fit in a receiver's default socket buffer (~208 KiB).
  static constexpr size_t kMaxDatagram = 16 * 1024;

  // A socket with records waiting; it enlists when its first record waits.
  class Member {
   public:
    virtual void FlushBatched() = 0;

   protected:
    ~Member() = default;
  };
  static void Enlist(Member* member);
  static void Withdraw(Member* member);

 private:
  const bool joining_;
};

}  // namespace nlw
