#include "wrap/stats_request.h"

#include <cstring>

#include "convert/stats_report.h"
#include "wrap/data_channel.h"
#include "wrap/peer_connection_observer.h"

namespace nlw {

namespace {

// DataChannelCore::SendDirect hands messages to the SCTP transport itself, and takes received ones
// from it (OnDirectMessage), so libwebrtc's channel never counts them: add what each of our channels sent and received that way to its data-channel stats,
// found by its SCTP stream id and label (unique among the open channels of a connection).
void AddDirectCounts(StatsReportValue* report, PeerConnectionShared* shared) {
  std::vector<std::shared_ptr<DataChannelCore>> cores = shared->AllChannels();
  if (cores.empty()) return;
  for (StatsEntry& e : report->entries) {
    if (strcmp(e.type, "data-channel") != 0) continue;
    double* sid = e.Number("dataChannelIdentifier");
    const std::string* label = e.String("label");
    if (sid == nullptr || label == nullptr) continue;
    for (const auto& core : cores) {
      DirectCounts counts;
      if (!core->ReadDirectCounts(static_cast<int>(*sid), *label, &counts)) continue;
      if (double* n = e.Number("messagesSent")) *n += static_cast<double>(counts.messages);
      if (double* n = e.Number("bytesSent")) *n += static_cast<double>(counts.bytes);
      if (double* n = e.Number("messagesReceived")) *n += static_cast<double>(counts.messages_received);
      if (double* n = e.Number("bytesReceived")) *n += static_cast<double>(counts.bytes_received);
      break;
    }
  }
}

class StatsCallback : public webrtc::RTCStatsCollectorCallback {
 public:
  StatsCallback(std::shared_ptr<PeerConnectionShared> shared, Napi::Promise::Deferred deferred, double origin)
      : shared_(std::move(shared)), deferred_(deferred), origin_(origin) {}

  // Signaling thread.
  void OnStatsDelivered(const rtc::scoped_refptr<const webrtc::RTCStatsReport>& report) override {
    shared_->stats_requests--;
    auto value = std::make_shared<StatsReportValue>(StatsReportValue::From(report.get()));
    AddDirectCounts(value.get(), shared_.get());
    shared_->dispatcher->Post([deferred = deferred_, value, origin = origin_](Napi::Env env) {
      deferred.Resolve(value->ToJs(env, origin));
    });
  }

 private:
  std::shared_ptr<PeerConnectionShared> shared_;
  Napi::Promise::Deferred deferred_;
  double origin_;
};

}  // namespace

void RequestStats(const std::shared_ptr<PeerConnectionShared>& shared, webrtc::PeerConnectionInterface* pc,
                  rtc::scoped_refptr<webrtc::RtpTransceiverInterface> transceiver, StatsSelector selector,
                  Napi::Promise::Deferred deferred, double time_origin_ms) {
  auto callback = rtc::make_ref_counted<StatsCallback>(shared, deferred, time_origin_ms);
  shared->stats_requests++;  // until OnStatsDelivered (PeerConnection::ReleaseNative waits for it)
  if (transceiver && selector == StatsSelector::kSender) pc->GetStats(transceiver->sender(), callback);
  else if (transceiver && selector == StatsSelector::kReceiver) pc->GetStats(transceiver->receiver(), callback);
  else pc->GetStats(callback.get());
}

}  // namespace nlw
