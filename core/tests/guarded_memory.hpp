// Test buffers that end exactly where an inaccessible page starts, so a kernel that reads
// one byte past the end of its input crashes the test instead of passing by luck.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace ruvector_test {

class guarded_memory {
public:
	explicit guarded_memory(std::size_t max_bytes)
	{
		page_ = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
		data_pages_ = (max_bytes + 64 + page_ - 1) / page_;
		void* mem =
		    mmap(nullptr, (data_pages_ + 1) * page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED) {
			std::abort();
		}
		base_ = static_cast<std::uint8_t*>(mem);
		if (mprotect(base_ + data_pages_ * page_, page_, PROT_NONE) != 0) {
			std::abort();
		}
	}
	~guarded_memory()
	{
		munmap(base_, (data_pages_ + 1) * page_);
	}
	guarded_memory(const guarded_memory&) = delete;
	guarded_memory& operator=(const guarded_memory&) = delete;

	// `bytes` bytes whose last one is the last accessible byte.
	void* at_end(std::size_t bytes)
	{
		return base_ + data_pages_ * page_ - bytes;
	}

private:
	std::size_t page_ = 0;
	std::size_t data_pages_ = 0;
	std::uint8_t* base_ = nullptr;
};

} // namespace ruvector_test
