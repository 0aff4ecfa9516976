// Received data messages handed to a channel's wrapper without libwebrtc's per-message task.
//
// libwebrtc M108 (DcSctpTransport -> DataChannelController -> SctpDataChannel) copies every
// received message into a buffer, posts it as a task of its own to the signaling thread and there
// to the channel's observer: a task, a closure, weak pointers and a DataBuffer per message. Where
// that changes nothing, an open channel of ours whose observer is ours takes its stream's data
// messages from the SCTP socket's callback instead (sctp_factory.cc), on the same thread (our
// runtime's signaling and network thread are one), and counts them for getStats itself.
//
// Order: a stream's messages that went libwebrtc's way (before the channel registered, a DCEP
// message, an empty message) have a task queued; the direct way stays closed until the last of
// those has run (`slow`: a count, with a task queued behind each, that closes the way meanwhile).
#pragma once

#include <cstdint>
#include <memory>

#include <vector>

namespace nlw {

// Network (= signaling) thread.
class DirectMessageReceiver {
 public:
  virtual ~DirectMessageReceiver() = default;
  // A data message of the receiver's stream, in order with everything libwebrtc delivered before.
  // `payload` is dcsctp's own (moved, not copied), never empty.
  virtual void OnDirectMessage(std::vector<uint8_t> payload, bool binary) = 0;
};

// One stream's receiver, as registered in its SCTP association (SctpPath::direct).
struct DirectStream {
  std::weak_ptr<DirectMessageReceiver> receiver;
  // Messages of this stream libwebrtc still has to deliver (their tasks are queued), plus one
  // until the task queued at registration has run. Shared with those tasks.
  std::shared_ptr<int> slow = std::make_shared<int>(0);
};

}  // namespace nlw
