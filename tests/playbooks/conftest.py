"""The playbook tests' ``world``: the hand-computed case studies described in world.py."""

from tests.playbooks.world import build_world
from tests.worlds import module_world

_module_world, world = module_world(build_world)
