#include "runtime/quiet_sends.h"

namespace nlw {
namespace {
thread_local bool t_quiet = false;
}  // namespace

QuietSends::QuietSends() : outer_(t_quiet) { t_quiet = true; }
QuietSends::~QuietSends() { t_quiet = outer_; }
bool QuietSends::Active() { return t_quiet; }

}  // namespace nlw
