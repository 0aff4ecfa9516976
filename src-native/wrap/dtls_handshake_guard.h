// Whether a connection may be destroyed after close().
//
// This libwebrtc reports DTLS handshake errors through a WeakPtr to its PeerConnection that it
// checks on the network thread; the check binds the pointer to that thread, and destroying the
// PeerConnection on the signaling thread then fails a DCHECK, live in Debian's build, and aborts
// the process. The guard listens for those errors itself, on every DTLS transport of the
// connection from before its handshake can start, so that only connections whose handshake did
// fail are kept alive after close(); the rest, those closed mid-handshake included, are freed.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "api/dtls_transport_interface.h"
#include "api/scoped_refptr.h"

namespace nlw {

class DtlsHandshakeGuard {
 public:
  // Network thread: watch this transport's handshake from now on. A transport whose handshake has
  // already started when it is first seen may have failed unseen: it counts as failed.
  void Watch(webrtc::DtlsTransportInterface* dtls);
  // Any thread: a watched handshake failed (or may have, unseen). Final once close() has returned.
  bool MayHaveFailed() const { return failed_->load(); }

 private:
  std::shared_ptr<std::atomic<bool>> failed_ = std::make_shared<std::atomic<bool>>(false);
  // Held, so that a transport destroyed by a renegotiation cannot leave its address to a new
  // one that would then pass for watched (network thread).
  std::vector<rtc::scoped_refptr<webrtc::DtlsTransportInterface>> watched_;
};

}  // namespace nlw
