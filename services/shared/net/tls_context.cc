#include "services/shared/net/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <system_error>

#include "absl/strings/str_cat.h"

namespace mailroom::net {
namespace {

// TLS 1.2 suites: ECDHE key exchange with AEAD ciphers only. TLS 1.3 suites keep OpenSSL's
// defaults, which are all AEAD.
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

std::string OpenSslErrors() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    absl::StrAppend(&out, out.empty() ? "" : "; ", buf);
  }
  return out;
}

}  // namespace

TlsContext::TlsContext() : context_(asio::ssl::context::tls_server) {}

absl::StatusOr<std::shared_ptr<TlsContext>> TlsContext::FromPemFiles(
    const std::string& cert_chain_path, const std::string& key_path) {
  std::shared_ptr<TlsContext> tls(new TlsContext());
  SSL_CTX* ctx = tls->context_.native_handle();
  ERR_clear_error();
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1) {
    return absl::InternalError(absl::StrCat("TLS protocol setup: ", OpenSslErrors()));
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_SINGLE_ECDH_USE);
  std::error_code ec;
  tls->context_.use_certificate_chain_file(cert_chain_path, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("TLS certificate chain ", cert_chain_path, ": ", ec.message()));
  }
  tls->context_.use_private_key_file(key_path, asio::ssl::context::pem, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("TLS private key ", key_path, ": ", ec.message()));
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TLS private key ", key_path, " does not match the certificate: ", OpenSslErrors()));
  }
  return tls;
}

}  // namespace mailroom::net
