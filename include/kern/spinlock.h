/*
 * Locks of the simulated kernel.  Simulated CPUs are host threads, so the
 * kernel's locks are real: spinlock_t (test-and-test-and-set on an atomic,
 * visible to TSan), rw_semaphore (mmap_sem) and semaphore (mutex) over
 * pthreads.  With one simulated CPU they are never contended.
 */
#ifndef KERN_SPINLOCK_H
#define KERN_SPINLOCK_H

#include <pthread.h>
#include <stdatomic.h>
#include "lib/compiler.h"

typedef struct {
	atomic_int locked;
} spinlock_t;

#define SPIN_LOCK_UNLOCKED { 0 }

static inline void spin_lock_init(spinlock_t *l)
{
	atomic_init(&l->locked, 0);
}

static inline bool spin_trylock(spinlock_t *l)
{
	return !atomic_load_explicit(&l->locked, memory_order_relaxed) &&
	       !atomic_exchange_explicit(&l->locked, 1, memory_order_acquire);
}

static inline void spin_lock(spinlock_t *l)
{
	while (unlikely(!spin_trylock(l))) {
		while (atomic_load_explicit(&l->locked, memory_order_relaxed))
			__builtin_ia32_pause();
	}
}

static inline void spin_unlock(spinlock_t *l)
{
	atomic_store_explicit(&l->locked, 0, memory_order_release);
}

static inline bool spin_is_locked(spinlock_t *l)
{
	return atomic_load_explicit(&l->locked, memory_order_relaxed) != 0;
}

/* rw_semaphore: mmap_sem */
struct rw_semaphore {
	pthread_rwlock_t rw;
};

static inline void init_rwsem(struct rw_semaphore *s) { pthread_rwlock_init(&s->rw, NULL); }
static inline void fini_rwsem(struct rw_semaphore *s) { pthread_rwlock_destroy(&s->rw); }
static inline void down_read(struct rw_semaphore *s) { pthread_rwlock_rdlock(&s->rw); }
static inline void up_read(struct rw_semaphore *s) { pthread_rwlock_unlock(&s->rw); }
static inline void down_write(struct rw_semaphore *s) { pthread_rwlock_wrlock(&s->rw); }
static inline void up_write(struct rw_semaphore *s) { pthread_rwlock_unlock(&s->rw); }
static inline bool down_read_trylock(struct rw_semaphore *s) { return pthread_rwlock_tryrdlock(&s->rw) == 0; }
static inline bool down_write_trylock(struct rw_semaphore *s) { return pthread_rwlock_trywrlock(&s->rw) == 0; }

/* semaphore used as a sleeping mutex (kmem_cache chain, swap_lock users) */
struct semaphore {
	pthread_mutex_t mu;
};

static inline void sema_init_mutex(struct semaphore *s) { pthread_mutex_init(&s->mu, NULL); }
static inline void sema_fini(struct semaphore *s) { pthread_mutex_destroy(&s->mu); }
static inline void down(struct semaphore *s) { pthread_mutex_lock(&s->mu); }
static inline void up(struct semaphore *s) { pthread_mutex_unlock(&s->mu); }

#endif
