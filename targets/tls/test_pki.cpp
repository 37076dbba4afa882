#include "targets/tls/test_pki.h"

#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "targets/tls/openssl_handles.h"

namespace faultline::tls {
namespace {

constexpr long kDay = 24 * 60 * 60;

tl::unexpected<net::Error> pki_error(const std::string& step) {
  return net::make_error(net::ErrorKind::io, "test pki: " + step + ": " + openssl_error_text());
}

// Issuer: the certificate and key that sign another certificate.
struct Issuer {
  X509* certificate;
  EVP_PKEY* key;
};

// CertificateSpec: what one certificate says.
struct CertificateSpec {
  std::string common_name;
  std::string subject_alt_names;  // "DNS:localhost,IP:127.0.0.1"; empty for a CA
  long not_before_offset;         // seconds from now
  long not_after_offset;
  bool is_ca;
  long serial;
};

bool add_extension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (extension == nullptr) return false;
  bool added = X509_add_ext(certificate, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

std::string to_pem(X509* certificate) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), certificate);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

std::string to_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

// issue makes a key and a certificate for `spec`, signed by `issuer`, or by
// itself when issuer is null. The key and certificate are handed back owned.
net::Status issue(const CertificateSpec& spec, const Issuer* issuer, X509Ptr& certificate_out,
                  EvpPkeyPtr& key_out) {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return pki_error("EC key for " + spec.common_name);
  X509Ptr certificate(X509_new());
  if (!certificate) return pki_error("X509_new");
  X509* cert = certificate.get();
  X509_set_version(cert, 2);  // v3
  ASN1_INTEGER_set(X509_get_serialNumber(cert), spec.serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), spec.not_before_offset);
  X509_gmtime_adj(X509_getm_notAfter(cert), spec.not_after_offset);
  X509_set_pubkey(cert, key.get());
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("faultline test PKI"), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1,
                             -1, 0);
  X509* signer_certificate = issuer != nullptr ? issuer->certificate : cert;
  EVP_PKEY* signer_key = issuer != nullptr ? issuer->key : key.get();
  X509_set_issuer_name(cert, X509_get_subject_name(signer_certificate));
  bool ok = true;
  if (spec.is_ca) {
    ok = add_extension(cert, signer_certificate, NID_basic_constraints, "critical,CA:TRUE") &&
         add_extension(cert, signer_certificate, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    ok = add_extension(cert, signer_certificate, NID_basic_constraints, "critical,CA:FALSE") &&
         add_extension(cert, signer_certificate, NID_key_usage, "critical,digitalSignature") &&
         add_extension(cert, signer_certificate, NID_ext_key_usage, "serverAuth") &&
         add_extension(cert, signer_certificate, NID_subject_alt_name, spec.subject_alt_names);
  }
  ok = ok && add_extension(cert, signer_certificate, NID_subject_key_identifier, "hash");
  if (issuer != nullptr) {
    ok = ok && add_extension(cert, signer_certificate, NID_authority_key_identifier, "keyid");
  }
  if (!ok) return pki_error("extensions for " + spec.common_name);
  if (X509_sign(cert, signer_key, EVP_sha256()) == 0)
    return pki_error("signing " + spec.common_name);
  certificate_out = std::move(certificate);
  key_out = std::move(key);
  return {};
}

net::Status make_identity(const std::string& stem, const CertificateSpec& spec,
                          const Issuer* issuer, TestIdentity& out, X509Ptr* keep_certificate,
                          EvpPkeyPtr* keep_key) {
  X509Ptr certificate;
  EvpPkeyPtr key;
  if (auto issued = issue(spec, issuer, certificate, key); !issued) return issued;
  out.name = stem;
  out.certificate_pem = to_pem(certificate.get());
  out.private_key_pem = to_pem(key.get());
  if (keep_certificate != nullptr) *keep_certificate = std::move(certificate);
  if (keep_key != nullptr) *keep_key = std::move(key);
  return {};
}

net::Status write_text(const std::filesystem::path& path, const std::string& text, bool secret) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return net::from_errno(errno, "test pki: writing " + path.string());
  out << text;
  out.close();
  if (!out) return net::from_errno(errno, "test pki: writing " + path.string());
  if (secret && ::chmod(path.c_str(), 0600) != 0)
    return net::from_errno(errno, "test pki: chmod " + path.string());
  return {};
}

}  // namespace

net::Result<TestPki> make_test_pki() {
  TestPki pki;
  X509Ptr ca_certificate;
  EvpPkeyPtr ca_key;
  const std::string local_names = "DNS:localhost,IP:127.0.0.1,IP:::1";
  if (auto made = make_identity("ca", {"faultline test CA", "", -kDay, 365 * kDay, true, 1},
                                nullptr, pki.ca, &ca_certificate, &ca_key);
      !made)
    return tl::unexpected(made.error());
  const Issuer ca{ca_certificate.get(), ca_key.get()};
  if (auto made = make_identity("server", {"localhost", local_names, -kDay, 30 * kDay, false, 2},
                                &ca, pki.server, nullptr, nullptr);
      !made)
    return tl::unexpected(made.error());
  if (auto made = make_identity("expired", {"localhost", local_names, -30 * kDay, -kDay, false, 3},
                                &ca, pki.expired, nullptr, nullptr);
      !made)
    return tl::unexpected(made.error());
  if (auto made = make_identity("wrong-host",
                                {"wrong.example", "DNS:wrong.example", -kDay, 30 * kDay, false, 4},
                                &ca, pki.wrong_host, nullptr, nullptr);
      !made)
    return tl::unexpected(made.error());
  if (auto made =
          make_identity("self-signed", {"localhost", local_names, -kDay, 30 * kDay, false, 5},
                        nullptr, pki.self_signed, nullptr, nullptr);
      !made)
    return tl::unexpected(made.error());
  return pki;
}

net::Status write_test_pki(const TestPki& pki, const std::string& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    return net::make_error(net::ErrorKind::io,
                           "test pki: creating " + directory + ": " + error.message());
  }
  for (const TestIdentity* identity : pki.all()) {
    const std::filesystem::path base(directory);
    if (auto ok = write_text(base / (identity->name + ".pem"), identity->certificate_pem, false);
        !ok)
      return ok;
    if (auto ok = write_text(base / (identity->name + "-key.pem"), identity->private_key_pem, true);
        !ok)
      return ok;
  }
  return {};
}

}  // namespace faultline::tls
