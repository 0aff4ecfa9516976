// The DTLS cipher order Chromium gets on a CPU with AES instructions.
//
// libwebrtc gives OpenSSL the cipher string Chromium gives BoringSSL. BoringSSL's DEFAULT puts
// AES-GCM first when the CPU has AES instructions; OpenSSL's puts ChaCha20-Poly1305 before
// AES-128-GCM regardless. So two of our peers negotiated ChaCha20-Poly1305, which took ~9% of the CPU
// samples of a bulk transfer against AES-128-GCM's <5% (perf, bench/RESULTS.md). The link wraps
// SSL_CTX_set_cipher_list (build.json ldflags: --wrap) so that, on such a CPU, the two
// ECDHE AES-128-GCM suites come first; the rest of libwebrtc's list follows unchanged.
#include <string>

extern "C" {
typedef struct ssl_ctx_st SSL_CTX;
int __real_SSL_CTX_set_cipher_list(SSL_CTX* ctx, const char* list);

int __wrap_SSL_CTX_set_cipher_list(SSL_CTX* ctx, const char* list) {
#if defined(__x86_64__)
  static const bool aes = __builtin_cpu_supports("aes") && __builtin_cpu_supports("pclmul");
  if (aes) {
    std::string ordered = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:";
    ordered += list;
    return __real_SSL_CTX_set_cipher_list(ctx, ordered.c_str());
  }
#endif
  return __real_SSL_CTX_set_cipher_list(ctx, list);
}
}
