#include "runtime/datagram_batch.h"

#include <algorithm>
#include <vector>

namespace nlw {
namespace {

struct ThreadBatch {
  int depth = 0;
  int joining = 0;
  std::vector<DatagramBatch::Member*> waiting;
};

thread_local ThreadBatch tls_batch;

}  // namespace

DatagramBatch::DatagramBatch(bool joining) : joining_(joining) {
  ++tls_batch.depth;
  if (joining_) ++tls_batch.joining;
}

DatagramBatch::~DatagramBatch() {
  if (joining_) --tls_batch.joining;
  if (--tls_batch.depth > 0) return;
  // No scope is open now, so what the flushes send is not held again: this loop ends.
  while (!tls_batch.waiting.empty()) {
    Member* m = tls_batch.waiting.back();
    tls_batch.waiting.pop_back();
    m->FlushBatched();
  }
}

bool DatagramBatch::Joining() { return tls_batch.joining > 0; }

void DatagramBatch::Enlist(Member* member) { tls_batch.waiting.push_back(member); }

void DatagramBatch::Withdraw(Member* member) {
  auto& w = tls_batch.waiting;
  w.erase(std::remove(w.begin(), w.end(), member), w.end());
}

}  // namespace nlw
