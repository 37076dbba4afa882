// targets/tls/test_pki_test.cpp: the generated PKI parses, and lands on disk.
#include "targets/tls/test_pki.h"

#include <sys/stat.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "targets/tls/tls_config.h"

namespace faultline::tls {
namespace {

TEST(TestPki, EveryIdentityLoadsAsAServerCertificateAndKey) {
  auto pki = make_test_pki();
  ASSERT_TRUE(pki) << pki.error().to_string();
  for (const TestIdentity* identity : pki->all()) {
    ServerConfig config;
    config.certificate_chain_pem = identity->certificate_pem;
    config.private_key_pem = identity->private_key_pem;
    auto context = ServerContext::make(config);
    EXPECT_TRUE(context) << identity->name << ": " << context.error().to_string();
  }
}

TEST(TestPki, TwoRunsMakeDifferentKeys) {
  auto first = make_test_pki();
  auto second = make_test_pki();
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->ca.private_key_pem, second->ca.private_key_pem);
}

TEST(TestPki, WritesCertificatesAndPrivateKeysWithMode0600) {
  auto pki = make_test_pki();
  ASSERT_TRUE(pki);
  const auto directory =
      std::filesystem::temp_directory_path() / ("faultline-pki-" + std::to_string(::getpid()));
  ASSERT_TRUE(write_test_pki(*pki, directory.string()));
  for (const char* stem : {"ca", "server", "expired", "wrong-host", "self-signed"}) {
    EXPECT_TRUE(std::filesystem::exists(directory / (std::string(stem) + ".pem"))) << stem;
    struct stat info {};
    ASSERT_EQ(::stat((directory / (std::string(stem) + "-key.pem")).c_str(), &info), 0) << stem;
    EXPECT_EQ(info.st_mode & 0777, 0600u) << stem;
  }
  auto context = ServerContext::from_files((directory / "server.pem").string(),
                                           (directory / "server-key.pem").string());
  EXPECT_TRUE(context);
  std::filesystem::remove_all(directory);
}

TEST(TestPki, MismatchedKeyIsRefused) {
  auto pki = make_test_pki();
  ASSERT_TRUE(pki);
  ServerConfig config;
  config.certificate_chain_pem = pki->server.certificate_pem;
  config.private_key_pem = pki->expired.private_key_pem;
  auto context = ServerContext::make(config);
  ASSERT_FALSE(context);
  EXPECT_NE(context.error().message.find("does not match"), std::string::npos);
}

}  // namespace
}  // namespace faultline::tls
