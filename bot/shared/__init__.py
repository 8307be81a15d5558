"""State that several replicas of the bot must agree on, kept in Redis (REDIS_URL): the send pace, which
replica runs each background job, and which updates were already handled. With no REDIS_URL the bot is one
process and keeps all of it in memory."""
