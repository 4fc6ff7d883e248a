// GraphOpt: passes and the memory planner.
