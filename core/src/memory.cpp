// Default host hooks (malloc/free, no interrupts) and the chunk arena.
#include "ruvector/memory.hpp"

#include <cstdint>
#include <cstdlib>

namespace ruvector {

namespace {

void* default_allocate(std::size_t bytes)
{
	// malloc(0) may return nullptr; the hook promises a pointer.
	void* pointer = std::malloc(bytes == 0 ? 1 : bytes);
	if (pointer == nullptr) {
		std::abort();
	}
	return pointer;
}

void default_deallocate(void* pointer)
{
	std::free(pointer);
}

void default_check_interrupts()
{
}

constexpr std::size_t arena_alignment = 16;
// The chunk header holds the link to the previous chunk, padded to keep blocks aligned.
constexpr std::size_t arena_header = arena_alignment;
constexpr std::size_t arena_first_chunk = 4096;
constexpr std::size_t arena_max_chunk = 1 << 20;

} // namespace

constinit host_hooks host = {&default_allocate, &default_deallocate, &default_check_interrupts};

void set_host_hooks(const host_hooks& hooks)
{
	host = hooks;
}

host_arena::~host_arena()
{
	release();
}

void* host_arena::allocate(std::size_t bytes)
{
	bytes = (bytes + arena_alignment - 1) & ~(arena_alignment - 1);
	if (bytes > left_) {
		if (next_chunk_bytes_ == 0) {
			next_chunk_bytes_ = arena_first_chunk;
		}
		// Room for the header and for rounding the start up to 16 (hosts align to 8 at least).
		std::size_t chunk_bytes = next_chunk_bytes_;
		if (chunk_bytes < bytes + arena_header + arena_alignment) {
			chunk_bytes = bytes + arena_header + arena_alignment;
		}
		if (next_chunk_bytes_ < arena_max_chunk) {
			next_chunk_bytes_ *= 2;
		}
		void* chunk = host.allocate(chunk_bytes);
		*static_cast<void**>(chunk) = last_chunk_;
		last_chunk_ = chunk;
		bytes_ += chunk_bytes;
		char* start = static_cast<char*>(chunk) + arena_header;
		const std::size_t shift =
		    (arena_alignment - reinterpret_cast<std::uintptr_t>(start) % arena_alignment) % arena_alignment;
		cursor_ = start + shift;
		left_ = chunk_bytes - arena_header - shift;
	}
	void* block = cursor_;
	cursor_ += bytes;
	left_ -= bytes;
	return block;
}

void host_arena::release()
{
	while (last_chunk_ != nullptr) {
		void* previous = *static_cast<void**>(last_chunk_);
		host.deallocate(last_chunk_);
		last_chunk_ = previous;
	}
	cursor_ = nullptr;
	left_ = 0;
	bytes_ = 0;
	next_chunk_bytes_ = 0;
}

} // namespace ruvector
