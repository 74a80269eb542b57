/*
 * Wait queues (Linux's linux/wait.h, the part vmsim needs): a task that must
 * wait for a condition another simulated CPU will make true sleeps on a
 * queue; whoever makes it true wakes the queue.  A host mutex and condition
 * variable stand in for the queue; @waiters lets a waker skip an empty queue
 * (waitqueue_active) without taking the mutex.
 *
 * No lost wake-up: wait_event() counts itself among the waiters, then
 * evaluates the condition; the waker changes the condition, then looks at
 * the count.  Both sides must be sequentially consistent (the condition's
 * loads and the waker's store or RMW use memory_order_seq_cst), so one of
 * the two always sees the other.
 */
#ifndef KERN_WAIT_H
#define KERN_WAIT_H

#include <pthread.h>
#include <stdatomic.h>

typedef struct {
	pthread_mutex_t lock;
	pthread_cond_t wait;
	atomic_int waiters;
} wait_queue_head_t;

static inline void init_waitqueue_head(wait_queue_head_t *q)
{
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->wait, NULL);
	atomic_init(&q->waiters, 0);
}

static inline void destroy_waitqueue_head(wait_queue_head_t *q)
{
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->wait);
}

/* Sleep on @q until @cond (an expression of seq_cst loads) is true. */
#define wait_event(q, cond) do {						\
	wait_queue_head_t *wq_ = (q);						\
										\
	pthread_mutex_lock(&wq_->lock);						\
	atomic_fetch_add_explicit(&wq_->waiters, 1, memory_order_seq_cst);	\
	while (!(cond))								\
		pthread_cond_wait(&wq_->wait, &wq_->lock);			\
	atomic_fetch_sub_explicit(&wq_->waiters, 1, memory_order_relaxed);	\
	pthread_mutex_unlock(&wq_->lock);					\
} while (0)

/* Wake every sleeper of @q, after the condition was made true (seq_cst). */
static inline void wake_up_all(wait_queue_head_t *q)
{
	if (atomic_load_explicit(&q->waiters, memory_order_seq_cst)) {
		pthread_mutex_lock(&q->lock);
		pthread_cond_broadcast(&q->wait);
		pthread_mutex_unlock(&q->lock);
	}
}

#endif
