#include "runtime/srtp_crypto.h"

#define OPENSSL_SUPPRESS_DEPRECATED  // SHA1_Init & co.: the one way to copy a SHA-1 state cheaply
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <srtp2/auth.h>
#include <srtp2/cipher.h>
#include <srtp2/srtp.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>

#include "pc/srtp_session.h"
#include "rtc_base/logging.h"

namespace nlw {
namespace {

// ---- AES-128 in counter mode (libsrtp's AES-ICM with a 16-byte key and a 14-byte salt) ----------

constexpr int kAesKey = 16;
constexpr int kSalt = 14;

EVP_CIPHER* g_aes_ctr = nullptr;  // fetched once; lives for the process

struct IcmState {
  EVP_CIPHER_CTX* ctx = nullptr;
  uint8_t offset[16] = {};  // the salt, then two zero bytes (the block counter)
};

extern const srtp_cipher_type_t kIcmType;

srtp_err_status_t IcmAlloc(srtp_cipher_pointer_t* cp, int key_len, int /*tag_len*/) {
  if (key_len != kAesKey + kSalt) return srtp_err_status_bad_param;
  auto* cipher = new (std::nothrow) srtp_cipher_t{};
  auto* state = new (std::nothrow) IcmState{};
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (cipher == nullptr || state == nullptr || ctx == nullptr) {
    EVP_CIPHER_CTX_free(ctx);
    delete state;
    delete cipher;
    return srtp_err_status_alloc_fail;
  }
  state->ctx = ctx;
  cipher->type = &kIcmType;
  cipher->state = state;
  cipher->key_len = key_len;
  cipher->algorithm = SRTP_AES_ICM_128;
  *cp = cipher;
  return srtp_err_status_ok;
}

srtp_err_status_t IcmDealloc(srtp_cipher_pointer_t c) {
  auto* state = static_cast<IcmState*>(c->state);
  EVP_CIPHER_CTX_free(state->ctx);
  OPENSSL_cleanse(state->offset, sizeof(state->offset));
  delete state;
  delete c;
  return srtp_err_status_ok;
}

srtp_err_status_t IcmInit(void* sv, const uint8_t* key) {
  auto* state = static_cast<IcmState*>(sv);
  std::memset(state->offset, 0, sizeof(state->offset));
  std::memcpy(state->offset, key + kAesKey, kSalt);
  if (EVP_EncryptInit_ex(state->ctx, g_aes_ctr, nullptr, key, state->offset) != 1)
    return srtp_err_status_init_fail;
  return srtp_err_status_ok;
}

// The counter block is the salt XOR the IV (SSRC and packet index, or the KDF's label); the
// keystream restarts at its first byte.
srtp_err_status_t IcmSetIv(void* sv, uint8_t* iv, srtp_cipher_direction_t /*direction*/) {
  auto* state = static_cast<IcmState*>(sv);
  uint8_t counter[16];
  for (int i = 0; i < 16; ++i) counter[i] = state->offset[i] ^ iv[i];
  if (EVP_EncryptInit_ex(state->ctx, nullptr, nullptr, nullptr, counter) != 1)
    return srtp_err_status_cipher_fail;
  return srtp_err_status_ok;
}

// In place; one call continues the keystream of the last (as libsrtp's own does). libsrtp's
// counter is 16 bits wide: a packet of more than 1 MiB is refused, as there.
srtp_err_status_t IcmEncrypt(void* sv, uint8_t* buffer, unsigned int* octets) {
  auto* state = static_cast<IcmState*>(sv);
  if (*octets > 0xffffu * 16u) return srtp_err_status_terminus;
  int out = 0;
  if (EVP_EncryptUpdate(state->ctx, buffer, &out, buffer, static_cast<int>(*octets)) != 1 ||
      out != static_cast<int>(*octets))
    return srtp_err_status_cipher_fail;
  return srtp_err_status_ok;
}

// RFC 3711, appendix B.2: the first 32 bytes of keystream for its session key and salt.
const uint8_t kIcmKey[kAesKey + kSalt] = {
    0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c,
    0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd};
uint8_t kIcmIndex[16] = {};
const uint8_t kIcmZeros[32] = {};
const uint8_t kIcmKeystream[32] = {
    0xe0, 0x3e, 0xad, 0x09, 0x35, 0xc9, 0x5e, 0x80, 0xe1, 0x66, 0xb1, 0x6d, 0xd9, 0x2b, 0x4e, 0xb4,
    0xd2, 0x35, 0x13, 0x16, 0x2b, 0x02, 0xd0, 0xf7, 0x2a, 0x43, 0xa2, 0xfe, 0x4a, 0x5f, 0x97, 0xab};
const srtp_cipher_test_case_t kIcmTest = {
    kAesKey + kSalt, kIcmKey, kIcmIndex, 32, kIcmZeros, 32, kIcmKeystream, 0, nullptr, 0, nullptr};

const srtp_cipher_type_t kIcmType = {
    IcmAlloc, IcmDealloc, IcmInit, nullptr, IcmEncrypt, IcmEncrypt, IcmSetIv, nullptr,
    "AES-128 counter mode (node-libwebrtc, OpenSSL EVP)", &kIcmTest, SRTP_AES_ICM_128};

// ---- HMAC-SHA1 -------------------------------------------------------------------------------

constexpr int kSha1Block = 64;
constexpr int kSha1Digest = 20;

struct HmacState {
  SHA_CTX inner;  // after the key XOR ipad
  SHA_CTX outer;  // after the key XOR opad
  SHA_CTX work;   // the message so far
};

extern const srtp_auth_type_t kHmacType;

srtp_err_status_t HmacAlloc(srtp_auth_pointer_t* ap, int key_len, int out_len) {
  if (key_len < 0 || key_len > kSha1Block || out_len < 0 || out_len > kSha1Digest)
    return srtp_err_status_bad_param;
  auto* auth = new (std::nothrow) srtp_auth_t{};
  auto* state = new (std::nothrow) HmacState{};
  if (auth == nullptr || state == nullptr) {
    delete state;
    delete auth;
    return srtp_err_status_alloc_fail;
  }
  auth->type = &kHmacType;
  auth->state = state;
  auth->out_len = out_len;
  auth->key_len = key_len;
  auth->prefix_len = 0;
  *ap = auth;
  return srtp_err_status_ok;
}

srtp_err_status_t HmacDealloc(srtp_auth_pointer_t a) {
  auto* state = static_cast<HmacState*>(a->state);
  OPENSSL_cleanse(state, sizeof(*state));
  delete state;
  delete a;
  return srtp_err_status_ok;
}

srtp_err_status_t HmacInit(void* sv, const uint8_t* key, int key_len) {
  auto* state = static_cast<HmacState*>(sv);
  if (key_len < 0 || key_len > kSha1Block) return srtp_err_status_bad_param;
  uint8_t ipad[kSha1Block];
  uint8_t opad[kSha1Block];
  for (int i = 0; i < kSha1Block; ++i) {
    uint8_t k = i < key_len ? key[i] : 0;
    ipad[i] = k ^ 0x36;
    opad[i] = k ^ 0x5c;
  }
  SHA1_Init(&state->inner);
  SHA1_Update(&state->inner, ipad, kSha1Block);
  SHA1_Init(&state->outer);
  SHA1_Update(&state->outer, opad, kSha1Block);
  state->work = state->inner;
  OPENSSL_cleanse(ipad, sizeof(ipad));
  OPENSSL_cleanse(opad, sizeof(opad));
  return srtp_err_status_ok;
}

srtp_err_status_t HmacStart(void* sv) {
  auto* state = static_cast<HmacState*>(sv);
  state->work = state->inner;
  return srtp_err_status_ok;
}

srtp_err_status_t HmacUpdate(void* sv, const uint8_t* buffer, int octets) {
  auto* state = static_cast<HmacState*>(sv);
  if (octets < 0) return srtp_err_status_bad_param;
  SHA1_Update(&state->work, buffer, static_cast<size_t>(octets));
  return srtp_err_status_ok;
}

srtp_err_status_t HmacCompute(void* sv, const uint8_t* buffer, int octets, int tag_len, uint8_t* tag) {
  auto* state = static_cast<HmacState*>(sv);
  if (octets < 0 || tag_len < 0 || tag_len > kSha1Digest) return srtp_err_status_bad_param;
  uint8_t digest[kSha1Digest];
  SHA1_Update(&state->work, buffer, static_cast<size_t>(octets));
  SHA1_Final(digest, &state->work);
  SHA_CTX outer = state->outer;
  SHA1_Update(&outer, digest, kSha1Digest);
  SHA1_Final(digest, &outer);
  std::memcpy(tag, digest, static_cast<size_t>(tag_len));
  state->work = state->inner;
  return srtp_err_status_ok;
}

// RFC 2202, test case 1.
const uint8_t kHmacKey[20] = {0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
                              0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b};
const uint8_t kHmacData[8] = {'H', 'i', ' ', 'T', 'h', 'e', 'r', 'e'};
const uint8_t kHmacTag[20] = {0xb6, 0x17, 0x31, 0x86, 0x55, 0x05, 0x72, 0x64, 0xe2, 0x8b,
                              0xc0, 0xb6, 0xfb, 0x37, 0x8c, 0x8e, 0xf1, 0x46, 0xbe, 0x00};
const srtp_auth_test_case_t kHmacTest = {20, kHmacKey, 8, kHmacData, 20, kHmacTag, nullptr};

const srtp_auth_type_t kHmacType = {
    HmacAlloc, HmacDealloc, HmacInit, HmacCompute, HmacUpdate, HmacStart,
    "HMAC-SHA1 (node-libwebrtc, precomputed pads)", &kHmacTest, SRTP_HMAC_SHA1};

bool Install() {
  const char* v = getenv("NODE_LIBWEBRTC_SRTP_CRYPTO");
  if (v != nullptr && strcmp(v, "libsrtp") == 0) return false;
  // From here on libwebrtc neither initializes nor shuts down libsrtp: we do, once.
  cricket::ProhibitLibsrtpInitialization();
  if (srtp_err_status_t err = srtp_init(); err != srtp_err_status_ok) {
    RTC_LOG(LS_ERROR) << "srtp_init failed: " << err;
    return false;
  }
  g_aes_ctr = EVP_CIPHER_fetch(nullptr, "AES-128-CTR", nullptr);
  bool cipher = false;
  if (g_aes_ctr != nullptr) {
    srtp_err_status_t err = srtp_replace_cipher_type(&kIcmType, SRTP_AES_ICM_128);
    cipher = err == srtp_err_status_ok;
    if (!cipher) RTC_LOG(LS_WARNING) << "SRTP: AES-CM replacement refused (" << err << "), libsrtp's kept";
  }
  srtp_err_status_t err = srtp_replace_auth_type(&kHmacType, SRTP_HMAC_SHA1);
  if (err != srtp_err_status_ok)
    RTC_LOG(LS_WARNING) << "SRTP: HMAC-SHA1 replacement refused (" << err << "), libsrtp's kept";
  return cipher && err == srtp_err_status_ok;
}

}  // namespace

bool InstallSrtpCrypto() {
  static std::once_flag once;
  static bool installed = false;
  std::call_once(once, [] { installed = Install(); });
  return installed;
}

}  // namespace nlw
