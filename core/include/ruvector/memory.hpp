// Allocation and interruption hooks: how core asks its host for memory and time.
//
// Core never calls malloc or PostgreSQL directly. By default the hooks use
// malloc/free and never interrupt; the PostgreSQL extension installs palloc/pfree
// (in the memory context current at the call, so an ereport that longjmps over
// core frames loses nothing: the context is reset) and CHECK_FOR_INTERRUPTS.
#pragma once

#include <cstddef>

namespace ruvector {

struct host_hooks {
	void* (*allocate)(std::size_t bytes); // never returns nullptr: the host reports failure itself
	void (*deallocate)(void* pointer);
	void (*check_interrupts)(); // called at least every few thousand distance computations in long loops
};

extern host_hooks host;

void set_host_hooks(const host_hooks& hooks);

// Bump allocator over chunks taken from the host: many small blocks that live as
// long as their owner, freed all at once by release(). Chunk sizes double up to
// 1 MB so a small owner stays small. Blocks are 16-byte aligned.
class host_arena {
public:
	host_arena() = default;
	host_arena(const host_arena&) = delete;
	host_arena& operator=(const host_arena&) = delete;
	~host_arena();

	void* allocate(std::size_t bytes);
	void release();
	// Bytes taken from the host, chunk headers and unused tails included.
	std::size_t memory_bytes() const
	{
		return bytes_;
	}

private:
	void* last_chunk_ = nullptr; // chunks form a list through their first pointer
	char* cursor_ = nullptr;
	std::size_t left_ = 0;
	std::size_t bytes_ = 0;
	std::size_t next_chunk_bytes_ = 0;
};

} // namespace ruvector
