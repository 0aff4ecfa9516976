// libsrtp's AES-128 counter mode and HMAC-SHA1, on OpenSSL with per-session state.
//
// Debian's libsrtp2 is built for NSS, which this addon provides on OpenSSL (shims/nss_shim.c):
// every packet then creates an NSS context (an EVP context and a cipher fetch), runs AES one
// 16-byte block at a time, and starts HMAC-SHA1 over from the key (another fetch). At N = 100 the
// relay protects ~23,000 packets a second and that path was 31 % of its network thread (perf,
// bench/RESULTS.md "Relay CPU per subscriber"). The replacements here keep, per session, an
// EVP AES-128-CTR context keyed once (a packet sets its IV and encrypts in one call, AES-NI
// and all) and the SHA-1 states after the HMAC pads (a packet copies one and hashes its bytes).
//
// libsrtp checks a replacement against the known answers of the implementation it replaces and
// of its own before taking it (srtp_replace_cipher_type / srtp_replace_auth_type): if either
// fails, libsrtp's own stays. Replacements only live while libsrtp stays initialized, so this
// initializes libsrtp once for the process and tells libwebrtc not to (its SrtpSession would
// shut libsrtp down, dropping them, whenever its last session closes).
#pragma once

namespace nlw {

// Once per process, before the first connection. NODE_LIBWEBRTC_SRTP_CRYPTO=libsrtp keeps
// libsrtp's own (comparisons). Returns whether the replacements are in use.
bool InstallSrtpCrypto();

}  // namespace nlw
