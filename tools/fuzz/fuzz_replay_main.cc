// Replays a fuzz target's checked-in seed corpus (and deterministic mutations
// of it) as an ordinary test, so `bazel test //...` under gcc covers every fuzz
// target without libFuzzer. Usage: <test> <corpus dir> [mutations per seed].
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <corpus dir> [mutations]\n", argv[0]);
    return 2;
  }
  const int mutations = argc > 2 ? std::atoi(argv[2]) : 200;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(argv[1])) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  if (files.empty()) {
    std::fprintf(stderr, "no seed files in %s\n", argv[1]);
    return 1;
  }
  std::mt19937_64 rng(12345);
  size_t runs = 0;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::vector<uint8_t> seed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(seed.data(), seed.size());
    ++runs;
    for (int r = 0; r < mutations; ++r) {
      std::vector<uint8_t> x = seed;
      const int edits = 1 + int(rng() % 4);
      for (int e = 0; e < edits; ++e) {
        switch (rng() % 3) {
          case 0:
            if (!x.empty()) x[rng() % x.size()] ^= uint8_t(1u << (rng() % 8));
            break;
          case 1:
            if (!x.empty()) x[rng() % x.size()] = uint8_t(rng());
            break;
          default:
            if (x.size() > 1) x.resize(rng() % x.size());
            break;
        }
      }
      LLVMFuzzerTestOneInput(x.data(), x.size());
      ++runs;
    }
  }
  std::printf("replayed %zu seeds, %zu inputs: ok\n", files.size(), runs);
  return 0;
}
