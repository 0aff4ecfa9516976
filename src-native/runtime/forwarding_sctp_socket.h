// A dcsctp socket that passes every call to another one: the base of our socket decorators, which
// override only what they change.
#pragma once

#include <memory>
#include <utility>

#include "net/dcsctp/public/dcsctp_socket.h"

namespace nlw {

class ForwardingSctpSocket : public dcsctp::DcSctpSocketInterface {
 public:
  void ReceivePacket(rtc::ArrayView<const uint8_t> data) override { inner_->ReceivePacket(data); }
  void HandleTimeout(dcsctp::TimeoutID id) override { inner_->HandleTimeout(id); }
  void Connect() override { inner_->Connect(); }
  void RestoreFromState(const dcsctp::DcSctpSocketHandoverState& state) override {
    inner_->RestoreFromState(state);
  }
  void Shutdown() override { inner_->Shutdown(); }
  void Close() override { inner_->Close(); }
  dcsctp::SocketState state() const override { return inner_->state(); }
  const dcsctp::DcSctpOptions& options() const override { return inner_->options(); }
  void SetMaxMessageSize(size_t size) override { inner_->SetMaxMessageSize(size); }
  void SetStreamPriority(dcsctp::StreamID s, dcsctp::StreamPriority p) override { inner_->SetStreamPriority(s, p); }
  dcsctp::StreamPriority GetStreamPriority(dcsctp::StreamID s) const override {
    return inner_->GetStreamPriority(s);
  }
  dcsctp::SendStatus Send(dcsctp::DcSctpMessage message, const dcsctp::SendOptions& options) override {
    return inner_->Send(std::move(message), options);
  }
  dcsctp::ResetStreamsStatus ResetStreams(rtc::ArrayView<const dcsctp::StreamID> streams) override {
    return inner_->ResetStreams(streams);
  }
  size_t buffered_amount(dcsctp::StreamID s) const override { return inner_->buffered_amount(s); }
  size_t buffered_amount_low_threshold(dcsctp::StreamID s) const override {
    return inner_->buffered_amount_low_threshold(s);
  }
  void SetBufferedAmountLowThreshold(dcsctp::StreamID s, size_t bytes) override {
    inner_->SetBufferedAmountLowThreshold(s, bytes);
  }
  absl::optional<dcsctp::Metrics> GetMetrics() const override { return inner_->GetMetrics(); }
  dcsctp::HandoverReadinessStatus GetHandoverReadiness() const override {
    return inner_->GetHandoverReadiness();
  }
  absl::optional<dcsctp::DcSctpSocketHandoverState> GetHandoverStateAndClose() override {
    return inner_->GetHandoverStateAndClose();
  }
  dcsctp::SctpImplementation peer_implementation() const override { return inner_->peer_implementation(); }

 protected:
  std::unique_ptr<dcsctp::DcSctpSocketInterface> inner_;
};

}  // namespace nlw
