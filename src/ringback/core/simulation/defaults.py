"""The default world of the what-if simulator, as the YAML a user copies and edits.

Every figure says where it comes from and how much to trust it. Most are weak: the published
numbers about call-backs and pick-up rates are vendor studies or sales-blog folklore, and none is
about direct sellers calling people they know. Where nothing was published the value is marked
"assumption". A user's world file overrides any of these, field by field (see
:func:`ringback.core.simulation.world.world_load`).

Kept as text in a module (not a ``.yaml`` file) so that it ships in the wheel with the code.
"""

from __future__ import annotations

DEFAULT_WORLD_YAML = """\
# What people do when a seller calls, leaves a voicemail, mails a card, emails or texts them.
# Probabilities are between 0 and 1; multipliers are numbers from 0 (1 = no change).

answer:
  # The chance that a stranger picks up a first call, on an average weekday, by part of the day
  # (08-12, 12-17, 17-21 local). Cold-call "connect rates" of 5-15 % per dial are quoted in
  # sales-tool vendors' blogs (weak: vendor marketing, mostly B2B, no method published). The
  # shape follows the Kellogg/InsideSales.com "Lead Response Management" study (2007): 8-9 h and
  # 16-17 h best, 13-14 h worst (weak: a vendor study of web leads, business hours only). It has
  # no evenings: people being home after work is an assumption (weak).
  by_part:
    morning: 0.10
    afternoon: 0.09
    evening: 0.12
  # Multipliers by weekday: Wednesday and Thursday best, Tuesday and Monday worse (same
  # Lead Response Management study, 2007; weak). Weekends: assumption (weak). The engine places
  # no call on Sundays.
  by_weekday:
    monday: 0.95
    tuesday: 0.85
    wednesday: 1.1
    thursday: 1.15
    friday: 0.95
    saturday: 0.9
    sunday: 0.8
  # Multipliers by how well they know the seller. C.J. Hayden (seed 004): the relationship is
  # "the most important factor" in getting a call returned; no figures: assumption (weak).
  by_warmth:
    stranger: 1.0
    met-once: 1.3
    acquainted: 1.8
    customer: 2.2
  # Multipliers for the 1st, 2nd, ... call to the same person (the last one holds after). Shaped
  # after the Velocify/Leads360 analysis "93 % of converted leads are reached by the 6th call
  # attempt" (vendor data on web leads, 2010s; weak): reaching people falls off with every try.
  by_attempt: [1.0, 0.9, 0.8, 0.7, 0.6, 0.5]
  # An experiment's known best hours: a multiplier by weekday and part of the day, e.g.
  # {wednesday: {evening: 2.0}}. Empty: none.
  best_hours: {}
  # People differ: each person's pick-up rate is multiplied by a draw of mean 1 and this
  # coefficient of variation (0: everybody alike). Assumption (weak).
  spread: 0.8
  # Of the calls nobody picks up, the share that hears a busy line. Assumption (weak).
  busy: 0.03

voicemail:
  # The chance that a person has a voicemail box (else the call rings out: no answer).
  # Assumption (weak): most mobiles have one, many boxes are full or never set up.
  box: 0.85
  # The chance that a stranger calls back after a voicemail. "Voicemail return rates around
  # 2-5 %" are quoted in sales blogs, with no original study behind them (weak).
  callback: 0.03

card:
  # The chance that a mailed card is read. A personal, hand-addressed card is read by most
  # people, a handwritten note more so (USPS Household Diary Study-style figures on personal
  # mail; weak: the diary covers households' mail in general, not a seller's cards).
  read: 0.85
  # The chance that a stranger who read the card calls back. The DMA/ANA Response Rate Report
  # (2018) quotes about 5 % for direct mail to a prospect list and 9 % to a house list (industry
  # survey; weak here: a "response" there is any response, and not to a seller's note).
  response: 0.02
  # A card read warms the next calls: pick-up and call-back chances are multiplied by this for
  # the days below. Sarah Robinson (seed 002) reports "amazing success" with Call-Mail-Call and
  # no figures: assumption (weak).
  warms: 1.3
  warm_days: 21
  # Days a card takes to arrive: USPS First-Class Mail service standard, 1-5 days (official
  # standard; fair).
  delivery_min_days: 1
  delivery_max_days: 4

email:
  # The chance of a reply to an email from a stranger. Cold-email reply rates of "a few percent"
  # (1-8 %) are quoted in outreach-tool vendors' benchmarks (weak).
  reply: 0.03
  # The chance of an automatic answer (out of office...): never counted as a response.
  # Assumption (weak).
  auto_reply: 0.05

text:
  # The chance of a reply to a text. A "45 % response rate" for SMS is widely quoted (attributed
  # to Gartner) with no study behind it, and not for a seller's texts (weak): assumption.
  reply: 0.06

responses:
  # Multipliers of every response chance (call-back after a voicemail, a card, an email or a
  # text) by warmth: people who know the seller return calls (seed 004); assumption (weak).
  by_warmth:
    stranger: 1.0
    met-once: 1.5
    acquainted: 3.0
    customer: 4.0
  # Days from a message to the response: drawn with this mean, at most the maximum.
  # Assumption (weak); seed 001: people call back "in several days" if at all.
  mean_delay_days: 1.0
  max_delay_days: 6

conversation:
  # What a conversation (a call picked up, a call-back, a reply) becomes. Assumption (weak);
  # R16: a "no" is a result too.
  appointment: 0.3
  not_interested: 0.25

# A quality multiplier per message (script or template name) for its call-back or reply chance:
# an experiment's known best message, e.g. {vm-a: 0.5, vm-b: 1.0, vm-c: 1.75}. Unnamed: 1.
messages: {}

population:
  # How many prospects the seller has.
  prospects: 1000
  # The warmth mix (shares adding up to 1). Assumption.
  warmth:
    stranger: 0.4
    met-once: 0.3
    acquainted: 0.2
    customer: 0.1
  # Shares of people with a second phone number, a postal address, an email address, a first
  # number that takes texts, a known birthday, and an address in another zone than their
  # number's (calls then keep to both zones' hours). Assumptions.
  second_number: 0.3
  postal_address: 0.7
  email: 0.6
  mobile: 0.8
  birthday: 0.3
  second_zone: 0.05
  # The share of numbers that are wrong. Assumption: a seller's own contacts, mostly given by
  # the person.
  wrong_number: 0.05
  # Where they live (shares adding up to 1).
  zones:
    America/New_York: 0.35
    America/Chicago: 0.25
    America/Denver: 0.1
    America/Los_Angeles: 0.2
    Europe/London: 0.05
    Europe/Paris: 0.05

seller:
  zone: America/New_York
  # The first simulated day.
  start: 2026-01-05
  # Ringback's account defaults: 60 minutes and 25 calls a day, Monday to Friday, one new
  # prospect per follow-up call.
  minutes_per_day: 60
  calls_per_day: 25
  working_days: [monday, tuesday, wednesday, thursday, friday]
  new_per_callback: 1.0
  # Days away: a list of {first: 2026-02-16, last: 2026-02-20}.
  vacations: []
  # Local calling hours (whole hours).
  calling_hours:
    start: 8
    end: 21
  # Minutes each kind of item takes (Ringback's defaults, core.agenda.Costs).
  costs:
    call: 4.0
    conversation: 15.0
    card: 5.0
    email: 3.0
    text: 1.0
    task: 5.0
"""
