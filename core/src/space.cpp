// Index distances per element kind and metric, over the dispatched kernels.
#include "ruvector/space.hpp"

#include "ruvector/kernels.hpp"

namespace ruvector {

namespace {

float l2_f32(const void* a, const void* b, std::size_t dim)
{
	return l2sq_f32(static_cast<const float*>(a), static_cast<const float*>(b), dim);
}

float negative_dot_f32(const void* a, const void* b, std::size_t dim)
{
	return -dot_f32(static_cast<const float*>(a), static_cast<const float*>(b), dim);
}

float cosine_f32(const void* a, const void* b, std::size_t dim)
{
	return 1.0F - dot_f32(static_cast<const float*>(a), static_cast<const float*>(b), dim);
}

float taxicab_f32(const void* a, const void* b, std::size_t dim)
{
	return l1_f32(static_cast<const float*>(a), static_cast<const float*>(b), dim);
}

} // namespace

vector_space make_space(element_kind element, metric kind, std::size_t dim)
{
	vector_space space{element, kind, dim, 0, nullptr};
	if (element != element_kind::f32) {
		return space;
	}
	switch (kind) {
		case metric::l2:
			space.distance = &l2_f32;
			break;
		case metric::inner_product:
			space.distance = &negative_dot_f32;
			break;
		case metric::cosine:
			space.distance = &cosine_f32;
			break;
		case metric::l1:
			space.distance = &taxicab_f32;
			break;
		case metric::hamming:
		case metric::jaccard:
			return space;
	}
	space.bytes = dim * sizeof(float);
	return space;
}

float index_distance(metric kind, const float* a, const float* b, std::size_t dim)
{
	return make_space(element_kind::f32, kind, dim)(a, b);
}

} // namespace ruvector
