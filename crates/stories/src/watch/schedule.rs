//! When to poll an account next. The gap between two polls never exceeds `max_gap`, which is
//! what makes the archive complete: a story is up for a day, so an account polled at least
//! every `max_gap` (well under a day) cannot post a story that expires unseen. Accounts that
//! post often are polled more often (the gap halves after a poll that found something new,
//! down to `min_gap`); quiet ones drift back up to `max_gap`. Accounts that cannot be read are
//! backed off instead of retried hot.

use std::time::Duration;

use domain::Outcome;

/// The bounds of the polling gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub min_gap: Duration,
    pub max_gap: Duration,
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            min_gap: Duration::from_secs(15 * 60),
            max_gap: Duration::from_secs(4 * 3600),
        }
    }
}

/// What one poll found, as far as scheduling cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polled {
    /// Stories came back, `new` of them not seen before.
    Answered { new: u64 },
    /// The account is private or gone: nothing will change soon.
    Unreadable,
    /// Every vendor failed (rate limits, outages, credits): the `failures`-th time in a row.
    Failed { failures: u32 },
}

impl Polled {
    /// How a query's outcome counts.
    pub fn of<T>(outcome: &Outcome<T>, new: u64, failures: u32) -> Self {
        match outcome {
            Outcome::Found(_) | Outcome::Empty => Polled::Answered { new },
            Outcome::PrivateAccount | Outcome::NotFound => Polled::Unreadable,
            Outcome::Failed(_) => Polled::Failed { failures },
        }
    }
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX).max(1)
}

impl Schedule {
    /// The first gap of a newly watched account: poll at once, then at the slowest rate
    /// until it shows activity.
    pub fn initial(&self) -> i64 {
        secs(self.max_gap)
    }

    /// The gap after a poll, given the gap before it (in seconds).
    pub fn next(&self, previous: i64, polled: Polled) -> i64 {
        let (min, max) = (
            secs(self.min_gap).min(secs(self.max_gap)),
            secs(self.max_gap),
        );
        let gap = match polled {
            Polled::Answered { new } if new > 0 => previous / 2,
            Polled::Answered { .. } => previous.saturating_mul(3) / 2,
            Polled::Unreadable => max,
            // Retry soon after a first failure, then back off exponentially.
            Polled::Failed { failures } => {
                min.saturating_mul(1_i64 << failures.saturating_sub(1).min(20))
            }
        };
        gap.clamp(min, max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule() -> Schedule {
        Schedule {
            min_gap: Duration::from_secs(60),
            max_gap: Duration::from_secs(3600),
        }
    }

    #[test]
    fn the_gap_never_exceeds_the_bound_whatever_happens() {
        let s = schedule();
        let mut gap = s.initial();
        let events = [
            Polled::Answered { new: 0 },
            Polled::Failed { failures: 30 },
            Polled::Unreadable,
            Polled::Answered { new: 0 },
            Polled::Failed { failures: 1 },
        ];
        for _ in 0..50 {
            for e in events {
                gap = s.next(gap, e);
                assert!((60..=3600).contains(&gap), "{gap} after {e:?}");
            }
        }
    }

    #[test]
    fn busy_accounts_are_polled_more_often_and_quiet_ones_less() {
        let s = schedule();
        let mut gap = s.initial();
        for _ in 0..3 {
            gap = s.next(gap, Polled::Answered { new: 2 });
        }
        assert_eq!(gap, 450);
        gap = s.next(gap, Polled::Answered { new: 0 });
        assert_eq!(gap, 675);
        for _ in 0..10 {
            gap = s.next(gap, Polled::Answered { new: 0 });
        }
        assert_eq!(gap, 3600);
    }

    #[test]
    fn failures_back_off_and_unreadable_accounts_wait_the_longest() {
        let s = schedule();
        assert_eq!(s.next(3600, Polled::Failed { failures: 1 }), 60);
        assert_eq!(s.next(60, Polled::Failed { failures: 3 }), 240);
        assert_eq!(s.next(60, Polled::Unreadable), 3600);
    }
}
