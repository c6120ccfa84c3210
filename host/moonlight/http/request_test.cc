// Tests for nvhttp query parsing and /launch parameter validation.
#include "host/moonlight/http/request.h"

#include <doctest/doctest.h>

#include <string>

namespace lumen::moonlight::http {

TEST_SUITE("NvHttpRequest") {
  TEST_CASE("Query.DecodesAndLowercasesKeys") {
    auto q = ParseQuery("uniqueid=0123&UUID=a%20b&x=1+2&&flag&=skip&dup=1&dup=2");
    REQUIRE(q.ok());
    CHECK(*q->Get("uniqueid") == "0123");
    CHECK(*q->Get("uuid") == "a b");
    CHECK(*q->Get("x") == "1 2");
    CHECK(q->Get("flag")->empty());
    CHECK(*q->Get("dup") == "1");
    CHECK(!q->Has("missing"));
    CHECK(QueryOf("/launch?a=1") == "a=1");
    CHECK(QueryOf("/launch").empty());
    CHECK(PathOf("/launch?a=1") == "/launch");
  }

  TEST_CASE("Query.RejectsHostileInput") {
    CHECK(!ParseQuery("a=%4").ok());
    CHECK(!ParseQuery("a=%").ok());
    CHECK(!ParseQuery("a=%zz").ok());
    std::string many;
    for (int i = 0; i < 100; ++i) many += "k" + std::to_string(i) + "=1&";
    CHECK(!ParseQuery(many).ok());
    CHECK(!ParseQuery(std::string(kMaxQueryBytes + 1, 'a')).ok());
  }

  TEST_CASE("Int.StrictDecimal") {
    CHECK(*ParseInt("-1234567", INT64_MIN + 1, INT64_MAX) == -1234567);
    CHECK(!ParseInt("", 0, 10).ok());
    CHECK(!ParseInt("-", -10, 10).ok());
    CHECK(!ParseInt("1a", 0, 100).ok());
    CHECK(!ParseInt(" 1", 0, 100).ok());
    CHECK(!ParseInt("11", 0, 10).ok());
    CHECK(!ParseInt("99999999999999999999", 0, INT64_MAX).ok());
  }

  TEST_CASE("Mode.Parse") {
    auto m = ParseMode("1920x1080x60");
    REQUIRE(m.ok());
    CHECK((*m)[0] == 1920);
    CHECK((*m)[1] == 1080);
    CHECK((*m)[2] == 60);
    CHECK(ParseMode("1280x720x0").ok());
    for (const char* bad : {"", "1920x1080", "1920x1080x", "x1080x60", "0x1080x60", "1920x-1080x60",
                            "1920x1080x60x1", "20000x1080x60", "axbxc"}) {
      CAPTURE(bad);
      CHECK(!ParseMode(bad).ok());
    }
  }

  TEST_CASE("Launch.FullParameterSet") {
    auto q = ParseQuery(
        "uniqueid=0123456789ABCDEF&uuid=x&appid=12&mode=2560x1440x120&additionalStates=1&sops=1"
        "&rikey=000102030405060708090A0B0C0D0E0F&rikeyid=-1234567&localAudioPlayMode=1"
        "&surroundAudioInfo=4128774&remoteControllersBitmap=3&gcmap=3&gcpersist=1&hdrMode=1"
        "&corever=1");
    REQUIRE(q.ok());
    auto p = ParseLaunchParams(*q, false);
    REQUIRE(p.ok());
    CHECK(p->app_id == 12);
    CHECK(p->width == 2560);
    CHECK(p->height == 1440);
    CHECK(p->fps == 120);
    CHECK(p->rikey[0] == 0x00);
    CHECK(p->rikey[15] == 0x0F);
    CHECK(p->rikeyid == static_cast<uint32_t>(-1234567));
    CHECK(p->sops);
    CHECK(p->local_audio);
    CHECK(p->audio_channels == 6);
    CHECK(p->audio_channel_mask == 0x3F);
    CHECK(p->gamepad_mask == 3u);
    CHECK(p->gamepad_persist);
    CHECK(p->hdr);
    CHECK(p->corever == 1);
  }

  TEST_CASE("Launch.BadValuesAreRejected") {
    const std::string ok =
        "appid=1&mode=1920x1080x60&rikey=000102030405060708090a0b0c0d0e0f"
        "&rikeyid=5";
    REQUIRE(ParseLaunchParams(*ParseQuery(ok), false).ok());
    const char* bad[] = {
        "mode=1920x1080x60&rikey=000102030405060708090a0b0c0d0e0f&rikeyid=5",          // appid
        "appid=0&mode=1920x1080x60&rikey=000102030405060708090a0b0c0d0e0f&rikeyid=5",  // appid 0
        "appid=x&mode=1920x1080x60&rikey=000102030405060708090a0b0c0d0e0f&rikeyid=5",  // appid
        "appid=1&mode=1920x1080&rikey=000102030405060708090a0b0c0d0e0f&rikeyid=5",     // mode
        "appid=1&mode=1920x1080x60&rikey=0001&rikeyid=5",                              // short
        "appid=1&mode=1920x1080x60&rikey=zz0102030405060708090a0b0c0d0e0f&rikeyid=5",  // hex
        "appid=1&mode=1920x1080x60&rikey=000102030405060708090a0b0c0d0e0f",            // keyid
        "appid=1&mode=1920x1080x60&rikey=000102030405060708090a0b0c0d0e0f&rikeyid=q",  // keyid
        "appid=1&mode=1920x1080x60&rikey=000102030405060708090a0b0c0d0e0f&rikeyid=5&sops=2",
        "appid=1&mode=1920x1080x60&rikey=000102030405060708090a0b0c0d0e0f&rikeyid=5"
        "&surroundAudioInfo=196611",
        "appid=1&mode=1920x1080x60&rikey=000102030405060708090a0b0c0d0e0f&rikeyid=5"
        "&remoteControllersBitmap=70000",
    };
    for (const char* b : bad) {
      CAPTURE(b);
      auto q = ParseQuery(b);
      REQUIRE(q.ok());
      auto p = ParseLaunchParams(*q, false);
      CHECK(!p.ok());
      CHECK(p.status().message().find("parameter") != std::string::npos);
    }
    // Resume may omit appid and mode.
    auto r = ParseQuery("rikey=000102030405060708090a0b0c0d0e0f&rikeyid=5");
    CHECK(ParseLaunchParams(*r, true).ok());
  }
}

}  // namespace lumen::moonlight::http
