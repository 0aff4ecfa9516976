// Debian's libtg_owt is built with DCHECK_ALWAYS_ON, and dcsctp checks its whole send and
// retransmission state after every operation: RTC_DCHECK(IsConsistent()) walks every queued and
// in-flight message, so each send costs time proportional to the queue, for nothing a release
// build of libwebrtc would do. With 2,560 small messages queued (bench "small messages") these
// walks took 58% of the sending network thread (perf). The build weakens these definitions in our
// copy of the archive (build.json tgowt_weaken_symbols) and links the ones below instead, so the
// checks always pass, as in a release build where they are compiled out. The other DCHECKs stay.
#include "net/dcsctp/rx/reassembly_queue.h"
#include "net/dcsctp/socket/dcsctp_socket.h"
#include "net/dcsctp/tx/outstanding_data.h"
#include "net/dcsctp/tx/retransmission_queue.h"
#include "net/dcsctp/tx/rr_send_queue.h"
#include "net/dcsctp/tx/stream_scheduler.h"

namespace dcsctp {

bool OutstandingData::IsConsistent() const { return true; }
bool RRSendQueue::IsConsistent() const { return true; }
bool RRSendQueue::OutgoingStream::IsConsistent() const { return true; }
bool RetransmissionQueue::IsConsistent() const { return true; }
bool StreamScheduler::IsConsistent() const { return true; }
bool ReassemblyQueue::IsConsistent() const { return true; }
bool DcSctpSocket::IsConsistent() const { return true; }

// Called for every packet sent when RTC_DLOG is on (it is, with DCHECK_ALWAYS_ON): it copies and
// parses the packet, CRC32c included, to print it at LS_VERBOSE, whether or not anything prints.
// 7% of a bulk sender's CPU (perf, bench/RESULTS.md); a release build has no such call.
void DcSctpSocket::DebugPrintOutgoing(rtc::ArrayView<const uint8_t>) {}

}  // namespace dcsctp
