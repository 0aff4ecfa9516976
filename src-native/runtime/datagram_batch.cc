#include "runtime/datagram_batch.h"

#include <algorithm>
#include <vector>

namespace nlw {
namespace {

struct ThreadBatch {
  int depth = 0;
  int joining = 0;
  int segmenting = 0;
  std::vector<DatagramBatch::Member*> waiting;
};

thread_local ThreadBatch tls_batch;

}  // namespace

DatagramBatch::DatagramBatch(Kind kind) : kind_(kind) {
  ++tls_batch.depth;
  if (kind_ == kJoin) ++tls_batch.joining;
  if (kind_ == kSegment) ++tls_batch.segmenting;
}

DatagramBatch::~DatagramBatch() {
  if (kind_ == kJoin) --tls_batch.joining;
  if (kind_ == kSegment) --tls_batch.segmenting;
  if (--tls_batch.depth > 0) return;
  // No scope is open now, so what the flushes send is not held again: this loop ends.
  while (!tls_batch.waiting.empty()) {
    Member* m = tls_batch.waiting.back();
    tls_batch.waiting.pop_back();
    m->FlushBatched();
  }
}

bool DatagramBatch::Joining() { return tls_batch.joining > 0; }
bool DatagramBatch::Segmenting() { return tls_batch.segmenting > 0; }

void DatagramBatch::Enlist(Member* member) { tls_batch.waiting.push_back(member); }

void DatagramBatch::Withdraw(Member* member) {
  auto& w = tls_batch.waiting;
  w.erase(std::remove(w.begin(), w.end(), member), w.end());
}

}  // namespace nlw
