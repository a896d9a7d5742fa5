// A growable array of T in fixed-size chunks: elements never move and each page is touched once.
// The KV cache's blocks and the content keys grow to millions of entries one at a time; a
// std::vector would copy them at every doubling and fault in about twice their final size.
// Chunks are small (tens of KB, served from the heap without a system call) and left
// uninitialised until used, so a small simulation pays for one chunk, not for a large array.
#pragma once

#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace simcheck::model {

// Elements are destroyed, in order, only when the whole vector is (or is moved-over).
template <class T, int kChunkBits = 10>
class ChunkedVector {
 public:
  ChunkedVector() = default;
  ChunkedVector(ChunkedVector&& other) noexcept
      : chunks_(std::move(other.chunks_)), size_(std::exchange(other.size_, 0)) {}
  ChunkedVector& operator=(ChunkedVector&& other) noexcept {
    if (this != &other) {
      release();
      chunks_ = std::move(other.chunks_);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  ChunkedVector(const ChunkedVector&) = delete;
  ChunkedVector& operator=(const ChunkedVector&) = delete;
  ~ChunkedVector() { release(); }

  T& operator[](size_t i) { return chunks_[i >> kChunkBits][i & kMask]; }
  const T& operator[](size_t i) const { return chunks_[i >> kChunkBits][i & kMask]; }
  size_t size() const { return size_; }

  // Appends a value-initialised element and returns it.
  T& emplace_back() {
    if ((size_ >> kChunkBits) == chunks_.size()) {
      chunks_.push_back(std::allocator<T>().allocate(kChunk));
    }
    T* slot = std::construct_at(&chunks_[size_ >> kChunkBits][size_ & kMask]);
    size_ += 1;
    return *slot;
  }

 private:
  static constexpr size_t kChunk = size_t{1} << kChunkBits;
  static constexpr size_t kMask = kChunk - 1;
  void release() {
    if constexpr (!std::is_trivially_destructible_v<T>) {
      for (size_t i = 0; i < size_; ++i) std::destroy_at(&(*this)[i]);
    }
    for (T* c : chunks_) std::allocator<T>().deallocate(c, kChunk);
    chunks_.clear();
    size_ = 0;
  }
  std::vector<T*> chunks_;
  size_t size_ = 0;
};

}  // namespace simcheck::model
