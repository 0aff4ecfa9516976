#include "media/transformer_slots.h"

#include <mutex>
#include <unordered_map>

namespace nlw {

namespace {
std::mutex mu;
// hook == nullptr: the application's. Entries of the application are never removed: a later
// sender at the same address only loses forwarding (its audio is encoded again).
std::unordered_map<const void*, ChainableHook*>& Slots() {
  static auto* slots = new std::unordered_map<const void*, ChainableHook*>();  // never destroyed: used at exit
  return *slots;
}
}  // namespace

bool TransformerSlots::ClaimForHook(const void* key, ChainableHook* hook) {
  std::lock_guard<std::mutex> lock(mu);
  auto [it, inserted] = Slots().emplace(key, hook);
  return inserted || it->second == hook;
}

void TransformerSlots::ReleaseHook(const void* key, ChainableHook* hook) {
  std::lock_guard<std::mutex> lock(mu);
  auto it = Slots().find(key);
  if (it != Slots().end() && it->second == hook) Slots().erase(it);
}

ChainableHook* TransformerSlots::ClaimForApplication(const void* key) {
  std::lock_guard<std::mutex> lock(mu);
  auto [it, inserted] = Slots().emplace(key, nullptr);
  return inserted ? nullptr : it->second;
}

bool TransformerSlots::HeldByApplication(const void* key) {
  std::lock_guard<std::mutex> lock(mu);
  auto it = Slots().find(key);
  return it != Slots().end() && it->second == nullptr;
}

}  // namespace nlw
