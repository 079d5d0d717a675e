#include "edge/backoff.h"
#include "harness.h"

int main(void)
{
    harness_case("the ceiling doubles up to the maximum");
    CHECK_EQ(edge_backoff_ms(0, 500, 30000, 0), 250);
    CHECK_EQ(edge_backoff_ms(0, 500, 30000, 250), 500);
    CHECK_EQ(edge_backoff_ms(1, 500, 30000, 500), 1000);
    CHECK_EQ(edge_backoff_ms(5, 500, 30000, 0), 8000);
    CHECK_EQ(edge_backoff_ms(6, 500, 30000, 15000), 30000);
    CHECK_EQ(edge_backoff_ms(1000, 500, 30000, 15000), 30000);

    harness_case("every delay lies in the upper half of its ceiling");
    for (uint32_t attempt = 0; attempt < 40; attempt++) {
        for (uint32_t r = 0; r < 100000; r += 7919) {
            const uint32_t delay = edge_backoff_ms(attempt, 500, 30000, r * 2654435761u);
            CHECK(delay >= 250 && delay <= 30000);
        }
    }

    harness_case("jitter spreads devices apart");
    CHECK(edge_backoff_ms(3, 500, 30000, 1) != edge_backoff_ms(3, 500, 30000, 2));

    harness_case("a base above the maximum is capped");
    CHECK(edge_backoff_ms(0, 60000, 30000, 123) <= 30000);
    return harness_finish("backoff");
}
