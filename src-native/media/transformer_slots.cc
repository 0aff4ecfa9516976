#include "media/transformer_slots.h"

#include <mutex>
#include <unordered_map>

namespace nlw {

namespace {
struct Slot {
  ChainableHook* hook = nullptr;  // ours, if any
  int application = 0;            // the application's claims not yet released
};
std::mutex mu;
std::unordered_map<const void*, Slot>& Slots() {
  static auto* slots = new std::unordered_map<const void*, Slot>();  // never destroyed: used at exit
  return *slots;
}
}  // namespace

bool TransformerSlots::ClaimForHook(const void* key, ChainableHook* hook) {
  std::lock_guard<std::mutex> lock(mu);
  auto [it, inserted] = Slots().emplace(key, Slot{hook, 0});
  return inserted || it->second.hook == hook;
}

void TransformerSlots::ReleaseHook(const void* key, ChainableHook* hook) {
  std::lock_guard<std::mutex> lock(mu);
  auto it = Slots().find(key);
  // The hook lives as long as its sender or receiver: what was chained behind it goes with it.
  if (it != Slots().end() && it->second.hook == hook) Slots().erase(it);
}

ChainableHook* TransformerSlots::ClaimForApplication(const void* key) {
  std::lock_guard<std::mutex> lock(mu);
  Slot& slot = Slots()[key];
  ++slot.application;
  return slot.hook;
}

void TransformerSlots::ReleaseApplication(const void* key) {
  std::lock_guard<std::mutex> lock(mu);
  auto it = Slots().find(key);
  if (it == Slots().end()) return;
  if (it->second.application > 0) --it->second.application;
  if (it->second.application == 0 && it->second.hook == nullptr) Slots().erase(it);
}

bool TransformerSlots::HeldByApplication(const void* key) {
  std::lock_guard<std::mutex> lock(mu);
  auto it = Slots().find(key);
  return it != Slots().end() && it->second.hook == nullptr && it->second.application > 0;
}

bool TransformerSlots::ClaimedByApplication(const void* key) {
  std::lock_guard<std::mutex> lock(mu);
  auto it = Slots().find(key);
  return it != Slots().end() && it->second.application > 0;
}

size_t TransformerSlots::Count() {
  std::lock_guard<std::mutex> lock(mu);
  return Slots().size();
}

}  // namespace nlw
