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
// On every other path (and for every other peer), records still travel one per datagram, but a
// burst of them leaves in one system call: UDP generic segmentation offload (UDP_SEGMENT), where
// the kernel cuts one buffer into datagrams of the same size. What the peer receives is exactly
// what one sendto per record gives it, so this is safe with any stack.
//
// A DatagramBatch is a scope on a network thread. While a joining or segmenting scope is open,
// DTLS application-data records that our UDP sockets send wait in their socket (joined: only to a
// loopback address); they leave as one datagram (joined) or one segmented send per socket when the
// outermost scope of any kind ends, when the batch is full, or before anything else that socket
// sends. A plain scope only holds back the end: an outer plain scope lets the records of several
// inner scopes share a send.
#pragma once

#include <cstddef>

namespace nlw {

class DatagramBatch {
 public:
  enum Kind { kPlain, kSegment, kJoin };
  explicit DatagramBatch(Kind kind = kPlain);
  ~DatagramBatch();
  DatagramBatch(const DatagramBatch&) = delete;
  DatagramBatch& operator=(const DatagramBatch&) = delete;

  // Whether a joining / segmenting scope is open on this thread (joining wins).
  static bool Joining();
  static bool Segmenting();

  // Joined datagrams are at most this big: 16 KiB carried as much as 32 or 60 KiB did on loopback
  // (bench/RESULTS.md), and more of them fit in a receiver's default socket buffer (~208 KiB).
  static constexpr size_t kMaxDatagram = 16 * 1024;
  // A segmented send: at most this many datagrams (the kernel's UDP_MAX_SEGMENTS is 64) and bytes
  // (a UDP payload's largest size).
  static constexpr size_t kMaxSegments = 64;
  static constexpr size_t kMaxSegmentedBytes = 65507;

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
  const Kind kind_;
};

}  // namespace nlw
