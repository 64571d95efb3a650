#include "services/shared/net/testing/self_signed_cert.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"

namespace mailroom::net::testing {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

bool AddExtension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

std::unique_ptr<X509, CertFree> MakeCert(EVP_PKEY* key, const std::string& common_name) {
  std::unique_ptr<X509, CertFree> cert(X509_new());
  unsigned char serial[8];
  if (cert == nullptr || RAND_bytes(serial, sizeof(serial)) != 1) return nullptr;
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  bool ok = bn != nullptr && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) != nullptr;
  BN_free(bn);
  X509_NAME* name = X509_get_subject_name(cert.get());
  ok = ok && X509_set_version(cert.get(), 2) == 1 &&
       X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr &&
       X509_gmtime_adj(X509_getm_notAfter(cert.get()), 30L * 24 * 3600) != nullptr &&
       X509_set_pubkey(cert.get(), key) == 1 &&
       X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                  reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                  -1, 0) == 1 &&
       X509_set_issuer_name(cert.get(), name) == 1 &&
       AddExtension(cert.get(), NID_subject_alt_name,
                    absl::StrCat("DNS:", common_name, ",IP:127.0.0.1")) &&
       AddExtension(cert.get(), NID_basic_constraints, "critical,CA:FALSE") &&
       X509_sign(cert.get(), key, EVP_sha256()) > 0;
  if (!ok) return nullptr;
  return cert;
}

}  // namespace

absl::StatusOr<PemFiles> WriteSelfSignedCert(absl::string_view common_name) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/mailroom-tls-XXXXXX");
  std::vector<char> dir_template(pattern.begin(), pattern.end());
  dir_template.push_back('\0');
  if (mkdtemp(dir_template.data()) == nullptr) return absl::InternalError("mkdtemp failed");
  PemFiles files;
  files.dir = dir_template.data();
  files.cert_path = files.dir + "/cert.pem";
  files.key_path = files.dir + "/key.pem";

  std::unique_ptr<EVP_PKEY, KeyFree> key(EVP_EC_gen("P-256"));
  if (key == nullptr) return absl::InternalError("EC key generation failed");
  std::unique_ptr<X509, CertFree> cert = MakeCert(key.get(), std::string(common_name));
  if (cert == nullptr) return absl::InternalError("building the certificate failed");

  std::unique_ptr<BIO, BioFree> cert_out(BIO_new_file(files.cert_path.c_str(), "w"));
  if (cert_out == nullptr || PEM_write_bio_X509(cert_out.get(), cert.get()) != 1) {
    return absl::InternalError(absl::StrCat("writing ", files.cert_path, " failed"));
  }
  std::unique_ptr<BIO, BioFree> key_out(BIO_new_file(files.key_path.c_str(), "w"));
  if (key_out == nullptr || chmod(files.key_path.c_str(), 0600) != 0 ||
      PEM_write_bio_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1) {
    return absl::InternalError(absl::StrCat("writing ", files.key_path, " failed"));
  }
  return files;
}

void RemovePemFiles(const PemFiles& files) {
  unlink(files.cert_path.c_str());
  unlink(files.key_path.c_str());
  rmdir(files.dir.c_str());
}

}  // namespace mailroom::net::testing
