#include "media/key_frame_trigger.h"

namespace nlw {

namespace {
thread_local EmittingEncoder::Current t_current{nullptr, 0};
}  // namespace

void KeyFrameTrigger::Request(int layer) {
  uint32_t bits = layer < 0 || layer >= kMaxLayers ? ~uint32_t{0} : (uint32_t{1} << layer);
  pending_.fetch_or(bits, std::memory_order_acq_rel);
}

uint32_t KeyFrameTrigger::Pending(int layers) {
  if (pending_.load(std::memory_order_acquire) == 0) return 0;
  uint32_t mask = layers >= kMaxLayers ? ~uint32_t{0} : (uint32_t{1} << (layers < 1 ? 1 : layers)) - 1;
  return pending_.fetch_and(mask, std::memory_order_acq_rel) & mask;
}

void KeyFrameTrigger::Delivered(int layer) {
  if (layer < 0 || layer >= kMaxLayers) return;
  if (pending_.load(std::memory_order_acquire) == 0) return;
  pending_.fetch_and(~(uint32_t{1} << layer), std::memory_order_acq_rel);
}

EmittingEncoder::EmittingEncoder(const std::shared_ptr<KeyFrameTrigger>& trigger, int layer) : previous_(t_current) {
  t_current = Current{&trigger, layer};
}

EmittingEncoder::~EmittingEncoder() { t_current = previous_; }

EmittingEncoder::Current EmittingEncoder::Get() { return t_current; }

}  // namespace nlw
